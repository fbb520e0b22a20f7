"""Language analysis in Python: the same tokens for documents and queries on the embedded engines.

SQLite FTS5 knows nothing of French or German, so every text is analyzed here before it reaches
the index: lowercasing, elision (French and Italian ``l'``, ``d'``, ``qu'`` …), stop words,
Snowball stemming (PyStemmer), then accent folding, so "l'abonnement" and "abonnements" share a
term and "reinitialiser" meets "réinitialiser". Japanese has no spaces: it is cut into overlapping
character bigrams. PostgreSQL uses :func:`normalize_words` (no stemming, its own configuration
stems); Elasticsearch's analyzers are built from the same lists and stemmers
(``search.backends.elastic.analysis_settings``) and queried with the terms made here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

import Stemmer

SNOWBALL = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
}
ELISION = {
    "fr": frozenset(["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]),
    "it": frozenset(
        ["c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl", "dagl", "degl", "negl", "sugl"]
    )
    | {"un", "m", "t", "s", "v", "d"},
}
# Compact stop lists: the function words that would otherwise dominate a drafted question.
_STOP_WORDS = {
    "en": """a an and are as at be been but by can could did do does doing don't for from had has have how i if in
        into is it its i'm me my no not of on or our so such than that the their them then there these they this
        to too up was we were what when where which while who why will with would you your yours please hello hi
        thanks thank am any get got just also very about after before again all some should may might doesn't
        can't isn't won't didn't""",
    "fr": """a à au aux avec ce ces cet cette c'est dans de des du elle elles en est et être eu il ils je j'ai la le
        les leur leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses
        son sur ta te tes toi ton tu un une vos votre vous y été était sont suis ai as avons avez ont faire fait
        comment quoi quand bonjour merci donc alors si ça cela plus très peux peut puis dois doit veux""",
    "de": """aber als am an auch auf aus bei bin bis bist da dann das dass dein deine dem den der des die dies diese
        dieser doch du durch ein eine einem einen einer eines er es für hat hatte habe haben ich ihr ihre im in
        ist ja kann kein keine mein meine mich mir mit nach nicht noch nun nur ob oder sein seine sich sie sind so
        über um und uns unser vom von vor war waren was wie wir wird wo zu zum zur hallo danke bitte wenn""",
    "es": """a al algo como con de del el ella ellas ellos en entre era es esa ese esta este esto estoy ha hay la las
        le les lo los me mi mis muy no nos o para pero por que qué se ser si sin sobre su sus también te tengo
        tu tus un una uno y ya yo hola gracias cómo puedo""",
    "it": """a ad al alla alle ai agli allo che chi ci come con da dal dalla dei del della delle di e è ed gli ha ho
        i il in io la le lo ma mi mia mio ne nei nel nella no non o per più può se si sono su sua suo sul sulla
        ti tu un una uno vi voi ciao grazie come posso""",
    "pt": """a à ao aos as com como da das de do dos e é ela ele eles em entre era essa esse esta este eu foi há isso
        já lhe mais mas me meu minha muito na nas não no nos o os ou para pela pelo por que se sem ser seu sua
        são também te tem tu um uma você olá obrigado posso""",
    "ja": "の に は を た が で て と し れ さ ある いる も する から な こと として い や など なっ ない この ため",
}
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# A word: letters and digits, possibly joined by apostrophes (l'abonnement, don't).
_WORD = re.compile(rf"(?:[^\W_]|[{_CJK}])+(?:['’](?:[^\W_])+)*")
_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "’": "'"})


def fold(text: str) -> str:
    """Lowercase and strip accents (é → e, ß → ss) so spelling without accents still matches."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.translate(_SPECIAL_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def stop_words(language: str) -> frozenset[str]:
    """The folded stop words of ``language`` (both with and without elided apostrophes)."""
    words = set()
    for word in _STOP_WORDS.get(language, "").split():
        words.add(fold(word))
        words.add(fold(word).replace("'", ""))
    return frozenset(words)


@cache
def stop_word_spellings(language: str) -> frozenset[str]:
    """The stop words as written (lowercase, accents kept) and folded: for engines that drop stop
    words before folding (Elasticsearch's analyzer stems, then folds, as :func:`tokens` does)."""
    words = set(stop_words(language))
    for word in _STOP_WORDS.get(language, "").split():
        words.add(word.lower())
        words.add(word.lower().replace("'", ""))
    return frozenset(words)


@cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = SNOWBALL.get(language)
    return Stemmer.Stemmer(algorithm) if algorithm else None


@dataclass(frozen=True)
class Token:
    """One analyzed token and where it came from in the original text (for highlighting)."""

    start: int
    end: int
    word: str  # normalized surface form: lowercased, elision removed, folded; not stemmed
    term: str  # the indexed term (stemmed and folded; a bigram for Japanese)


def _strip_elision(word: str, language: str) -> str:
    """Drop an elided article or pronoun (l', qu', dell'); other apostrophes join the word."""
    if "'" not in word:
        return word
    head, _sep, tail = word.partition("'")
    if head in ELISION.get(language, ()):
        return tail.replace("'", "")
    if language == "en" and tail == "s":
        return head
    return word.replace("'", "")


def _stem(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


def tokens(text: str, language: str, *, keep_stop_words: bool = False) -> Iterator[Token]:
    """Analyze ``text`` for ``language``; tokens come in text order, duplicates included."""
    if not text:
        return
    text = unicodedata.normalize("NFC", text)
    stops = stop_words(language)
    for match in _WORD.finditer(text):
        raw = match.group(0)
        if not raw.isascii() and _CJK_RUN.search(raw):
            yield from _cjk_tokens(raw, match.start(), stops, keep_stop_words)
            continue
        folded, term = _analyze_word(raw, language)
        if not folded or (not keep_stop_words and folded in stops):
            continue
        if len(folded) == 1 and not folded.isdigit():
            continue
        yield Token(match.start(), match.end(), folded, term)


@lru_cache(maxsize=100_000)
def _analyze_word(raw: str, language: str) -> tuple[str, str]:
    """(folded word, indexed term) of one word; cached because help-center vocabulary repeats a lot."""
    word = _strip_elision(raw.lower().replace("’", "'"), language)
    folded = fold(word)
    return folded, fold(_stem(word, language)) or folded


def _cjk_tokens(raw: str, offset: int, stops: frozenset[str], keep_stop_words: bool) -> Iterator[Token]:
    """Character bigrams over runs of Japanese (or Chinese) script; Latin runs inside stay words."""
    position = 0
    for run in re.finditer(rf"[{_CJK}]+|[^{_CJK}]+", raw):
        chunk = unicodedata.normalize("NFKC", run.group(0)).lower()
        start = offset + position + 0
        position += len(run.group(0))
        if not _CJK_RUN.match(chunk):
            folded = fold(chunk)
            if len(folded) > 1 or folded.isdigit():
                yield Token(start, start + len(run.group(0)), folded, folded)
            continue
        if len(chunk) == 1:
            if keep_stop_words or chunk not in stops:
                yield Token(start, start + 1, chunk, chunk)
            continue
        for index in range(len(chunk) - 1):
            bigram = chunk[index : index + 2]
            yield Token(start + index, start + index + 2, bigram, bigram)


def analyze(text: str, language: str) -> list[str]:
    """The indexed terms of ``text`` (what the SQLite index stores and queries): those of :func:`tokens`.

    The hot path of indexing, several times faster than :func:`tokens` on long articles: ASCII
    characters that no word holds become spaces at C speed (bytes.translate), and each piece
    between them is analyzed once per process (an article repeats most of its words). No word
    spans a piece boundary, so the terms are the same, in the same order.
    """
    if not text:
        return []
    memo = _piece_terms_memo(language)
    pieces = _pieces(text)
    found = list(map(memo.get, pieces))  # the loops run in C; only new pieces reach Python
    if None in found:
        _make_room(language, found.count(None))
        for index, piece in enumerate(pieces):
            if found[index] is None:
                found[index] = _learn_piece(piece, language)[0]
    return list(chain.from_iterable(found))


def _learned(pieces: set[str], language: str) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The (terms, words) memos of ``language``, once every one of ``pieces`` is in them."""
    terms_memo, words_memo = _piece_terms_memo(language), _piece_words_memo(language)
    missing = pieces.difference(words_memo)
    _make_room(language, len(missing))
    for piece in missing:
        _learn_piece(piece, language)
    return terms_memo, words_memo


def analyze_many(texts: Sequence[str], language: str) -> tuple[list[list[str]], frozenset[str], frozenset[str]]:
    """:func:`analyze` of each text, and the distinct terms and normalized words of all of them
    (indexing needs both): each text split once, each distinct piece looked up once."""
    split = [_pieces(text) if text else [] for text in texts]
    distinct = set(chain.from_iterable(split))
    terms_memo, words_memo = _learned(distinct, language)
    return (
        [list(chain.from_iterable(map(terms_memo.__getitem__, pieces))) for pieces in split],
        frozenset(chain.from_iterable(map(terms_memo.__getitem__, distinct))),
        frozenset(chain.from_iterable(map(words_memo.__getitem__, distinct))),
    )


def vocabulary(text: str, language: str) -> tuple[frozenset[str], frozenset[str]]:
    """The distinct (indexed terms, normalized words) of ``text``: those of :func:`tokens`, fast."""
    pieces = set(_pieces(text))
    terms_memo, words_memo = _learned(pieces, language)
    return (
        frozenset(chain.from_iterable(map(terms_memo.__getitem__, pieces))),
        frozenset(chain.from_iterable(map(words_memo.__getitem__, pieces))),
    )


def first_match_offset(text: str, language: str, terms: set[str], beginnings: tuple[str, ...]) -> int | None:
    """Where to start :func:`tokens` so that its first token whose term is in ``terms`` or whose word
    starts with one of ``beginnings`` is found without analyzing the words before it: the offset of
    the piece holding it, or None if there is no such token. ``text`` must be NFC (else 0: from the start).

    The text is looked at a block at a time (cut at spaces, which no piece holds): a match near the
    start of a long body costs one block.
    """
    if not unicodedata.is_normalized("NFC", text):
        return 0
    start = 0
    while start < len(text):
        end = text.find(" ", start + MATCH_BLOCK_CHARS)
        end = len(text) if end == -1 else end
        found = _first_match_in(text[start:end], language, terms, beginnings)
        if found is not None:
            return start + found
        start = end
    return None


MATCH_BLOCK_CHARS = 1500


def _first_match_in(text: str, language: str, terms: set[str], beginnings: tuple[str, ...]) -> int | None:
    pieces = _pieces(text)
    distinct = set(pieces)
    terms_memo, words_memo = _learned(distinct, language)
    accepted = {
        piece
        for piece in distinct
        if not terms.isdisjoint(terms_memo[piece])
        or (beginnings and any(word.startswith(beginnings) for word in words_memo[piece]))
    }
    if not accepted:
        return None
    index = list(map(accepted.__contains__, pieces)).index(True)
    piece = pieces[index]
    occurrence = pieces[:index].count(piece)
    spaced = text.encode("utf-8", "surrogatepass").translate(_NOT_IN_WORDS).decode("utf-8", "surrogatepass")
    for number, match in enumerate(re.finditer(rf"(?<!\S){re.escape(piece)}(?!\S)", spaced)):
        if number == occurrence:
            return match.start()
    return 0  # not reached: the piece is in the text


def _pieces(text: str) -> list[str]:
    spaced = unicodedata.normalize("NFC", text).encode("utf-8", "surrogatepass").translate(_NOT_IN_WORDS)
    return spaced.decode("utf-8", "surrogatepass").split()


def _make_room(language: str, pieces: int) -> None:
    """Start the memo over when ``pieces`` more would overfill it (before learning them, never during)."""
    if len(_piece_words_memo(language)) + pieces > PIECE_MEMO_SIZE:
        _piece_terms_memo(language).clear()
        _piece_words_memo(language).clear()


def _learn_piece(piece: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    terms_memo, words_memo = _piece_terms_memo(language), _piece_words_memo(language)
    pairs = [pair for raw in _WORD.findall(piece) for pair in _word_terms(raw, language)]
    terms = terms_memo[piece] = tuple(term for _word, term in pairs)
    words = words_memo[piece] = tuple(word for word, _term in pairs)
    return terms, words


PIECE_MEMO_SIZE = 200_000  # distinct pieces kept per language; a full memo starts over
# Every ASCII byte that cannot be part of a word (_WORD: letters, digits, apostrophes) → space;
# the bytes of other characters stay, and _WORD sorts them out within their piece.
_NOT_IN_WORDS = bytes(
    byte if byte >= 128 or chr(byte).isalnum() or chr(byte) == "'" else ord(" ") for byte in range(256)
)


@cache
def _piece_terms_memo(language: str) -> dict[str, tuple[str, ...]]:
    return {}


@cache
def _piece_words_memo(language: str) -> dict[str, tuple[str, ...]]:
    return {}


def _word_terms(raw: str, language: str) -> tuple[tuple[str, str], ...]:
    """The (word, term) pairs one matched word yields, exactly as :func:`tokens` would (none for a stop word)."""
    stops = stop_words(language)
    if not raw.isascii() and _CJK_RUN.search(raw):
        return tuple((token.word, token.term) for token in _cjk_tokens(raw, 0, stops, False))
    folded, term = _analyze_word(raw, language)
    if not folded or folded in stops or (len(folded) == 1 and not folded.isdigit()):
        return ()
    return ((folded, term),)


def normalize_words(text: str, language: str) -> list[str]:
    """Surface words after lowercasing, elision, stop words and folding (no stemming).

    PostgreSQL's text-search configuration stems these itself; feeding it folded words makes
    accents optional there too.
    """
    return [token.word for token in tokens(text, language)]


def edit_distance_at_most(first: str, second: str, limit: int) -> bool:
    """Whether the Damerau-Levenshtein (adjacent swap) distance is within ``limit``; cheap early exit."""
    if abs(len(first) - len(second)) > limit:
        return False
    previous_previous: list[int] | None = None
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, other in enumerate(second, 1):
            cost = 0 if char == other else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous_previous is not None and j > 1 and char == second[j - 2] and first[i - 2] == other:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return False
        previous_previous, previous = previous, current
    return previous[-1] <= limit
