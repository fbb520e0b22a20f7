"""The one door to the search engine: indexing, querying, synonyms and language analysis."""
