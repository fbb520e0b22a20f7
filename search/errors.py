"""The one error of search, in a leaf module: the backends raise it and ``search.health`` reports it,
so neither needs the other to define it."""


class SearchUnavailable(Exception):
    """The search engine did not answer; callers degrade instead of failing."""
