"""What a shopper types, turned into a full-text query both search engines read alike.

Words are the letters and digits of the text; each must match (AND), stemmed, so "headphone"
finds "Headphones" and "running" finds "run". The last word is the one still being typed: it
matches as a prefix too ("wireless head" finds "Wireless Headphones"), once it has
`MIN_PREFIX` characters. A shorter prefix ("ca") matches a large part of any big catalog, and
ranking all of it is what makes a search slow (docs/benchmarks.md). PostgreSQL drops English
stop words and SQLite's FTS5 does not, so they are dropped here for both, using PostgreSQL's
own list: the same words reach both engines. Only letters, digits and decimal points between
digits are passed on, so nothing a shopper types is read as query syntax.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TERMS = 8
MIN_PREFIX = 4
# A decimal number ("1.7" litre) stays one word: PostgreSQL indexes it as one lexeme, and
# FTS5 reads it as the phrase "1" "7".
_WORD = re.compile(r"[0-9]+(?:\.[0-9]+)+|[^\W_]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)*")
# PostgreSQL's `english` stop words (tsearch_data/english.stop), all of them: a word it
# drops but FTS5 kept would be required on SQLite and ignored on PostgreSQL.
_STOP_WORDS = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves what which who whom this
that these those am is are was were be been being have has had having do does did doing a an
the and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not
only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def search_terms(text: str) -> list[str]:
    """The words of `text` that take part in the search, lower-cased, without repeats."""
    terms: list[str] = []
    # NFC: "café" typed with a combining accent is the same word as the precomposed one.
    for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
        if word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _is_prefix(terms: list[str], index: int) -> bool:
    return index == len(terms) - 1 and len(terms[index]) >= MIN_PREFIX


def postgres_tsquery(terms: list[str]) -> list[tuple[str, str | None]]:
    """Per term (the terms to be AND-ed): the text for `to_tsquery('english', ...)`, which
    stems the word, and, for a word with digits, a literal `tsquery` to OR with it. PostgreSQL
    indexes a token with digits as written, but its parser reads such a word alone differently
    from the same word inside a longer token: the "5e0222ab" of the SKU "AB-5E0222AB" is
    indexed as written, while the word alone parses as the number 5e0222 and the word "ab"."""
    queries: list[tuple[str, str | None]] = []
    for index, term in enumerate(terms):
        suffix = ":*" if _is_prefix(terms, index) else ""
        queries.append((f"{term}{suffix}", _postgres_literal(term, suffix)))
    return queries


def _postgres_literal(term: str, suffix: str) -> str | None:
    if not any(character.isdigit() for character in term):
        return None  # letters alone parse the same anywhere; an OR would only cost
    # Terms are letters, digits and dots only, so they need no escaping inside the quotes.
    literal = f"'{term}'{suffix}"
    if _NUMBER.fullmatch(term):
        # The "-123" of a SKU like "ABC-123" is indexed as the signed number '-123'.
        literal += f" | '-{term}'{suffix}"
    return literal


def fts5_query(terms: list[str]) -> str:
    """For FTS5's MATCH, searching only the name, SKU and description columns."""
    return " AND ".join(
        f'{{name sku description}}: "{term}"{"*" if _is_prefix(terms, index) else ""}'
        for index, term in enumerate(terms)
    )
