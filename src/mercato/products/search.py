"""What a shopper types, turned into a full-text query both search engines read alike.

Words are the letters and digits of the text; each must match (AND), as a stemmed prefix, so
"wireless head" finds "Wireless Headphones" and "running" finds "run". PostgreSQL drops English
stop words and SQLite's FTS5 does not, so they are dropped here for both: the same words reach
both engines. Only letters and digits are passed on, so nothing a shopper types is read as
query syntax.
"""

from __future__ import annotations

import re

MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+")
_STOP_WORDS = """
a an and are as at be but by for from has have i if in into is it its of on or s so such t that
the their then there these they this to was were will with
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def search_terms(text: str) -> list[str]:
    """The words of `text` that take part in the search, lower-cased, without repeats."""
    terms: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def postgres_tsquery(terms: list[str]) -> str:
    """For `to_tsquery('english', ...)`."""
    return " & ".join(f"{term}:*" for term in terms)


def fts5_query(terms: list[str]) -> str:
    """For FTS5's MATCH, searching only the name, SKU and description columns."""
    return " AND ".join(f'{{name sku description}}: "{term}"*' for term in terms)
