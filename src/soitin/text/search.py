"""Full-text search over items, with or without diacritics, on SQLite and PostgreSQL.

Both databases index the same folded text (`items.text_folded`, filled with
`soitin.text.fold.fold_item_text`: title and text normalised, teencode expanded, lower-cased,
without diacritics), and the query is folded the same way, so "lua dao", "lừa đảo" and
"LỪA ĐẢO" find the same items, and "hoà bình" finds "hòa bình".

- SQLite: the FTS5 table `items_fts` (external content over `items`, kept in step by
  triggers), ranked by BM25.
- PostgreSQL: a GIN index on `to_tsvector('simple', text_folded)`, ranked by `ts_rank`.

Query syntax: words must all occur (in any order); "quoted words" must occur together, in
order. Everything else (operators, punctuation) is ignored, and the query is always bound
as a parameter.

A word the text folding reads by its neighbours ("ck": chồng, chuyển khoản, chứng khoán)
matches any of its readings when it stands unquoted: in the query it has no neighbours of
the text's. Numbers written in groups are one word in the query ("0912 345 678" →
"0912345678"); the indexed text holds both forms (`soitin.text.fold.join_groups`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BindParameter, Float, Integer, String, Text, bindparam
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from soitin.db.types import UTCDateTime
from soitin.errors import InvalidInputError
from soitin.text.fold import fold_diacritics, fold_for_search, join_groups
from soitin.text.normalise import fold_compatibility
from soitin.text.teencode import READINGS

__all__ = [
    "MAX_LIMIT",
    "SearchHit",
    "Term",
    "matching_story_ids",
    "parse_query",
    "search_items",
    "substring_forms",
]

MAX_LIMIT = 500
MAX_TERMS = 32
_WORD_RE = re.compile(r"\w+")
_PHRASE_RE = re.compile(r'"([^"]*)"')
_ONE_WORD_RE = re.compile(r"^\W*(\w+)\W*$")
_JOINED_IN_TEXT_RE = re.compile(r"(?<!\w)(?:\d{6,}|tphcm)(?!\w)")
# Words that stand for a number written in groups, or for TP.HCM: in the indexed text the
# groups follow them, so a phrase is cut after them.
_JOINED_RE = re.compile(r"\d{6,}|tphcm")

#: A term: its alternatives, each one word or a phrase (several words in order).
Term = list[list[str]]
_SNIPPET_CHARS = 200


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One item found; `score` is higher for a better match (0.0 when the query was empty)."""

    item_id: int
    score: float
    source_id: int
    title: str | None
    snippet: str
    published_at: datetime | None
    fetched_at: datetime
    province_codes: list[str]
    category: str | None


def parse_query(query: str) -> list[Term]:
    """The query as folded terms, all required: each term lists its alternatives, each one
    word or a phrase (several words in order)."""
    query = fold_compatibility(query)
    terms: list[Term] = []
    pos = 0
    for match in _PHRASE_RE.finditer(query):
        terms += _loose_terms(query[pos : match.start()])
        terms += [[phrase] for phrase in _phrases(_words(match.group(1)))]
        pos = match.end()
    terms += _loose_terms(query[pos:].replace('"', " "))
    return terms[:MAX_TERMS]


def _loose_terms(part: str) -> list[Term]:
    """Unquoted words: one term each; a word read by its neighbours gets all its readings."""
    terms: list[Term] = []
    plain: list[str] = []  # words folded together: "0912 345 678", "50 k" keep their context
    for token in [*part.split(), ""]:
        word = _ONE_WORD_RE.match(token)
        low = word.group(1).lower() if word else ""
        if token and low not in READINGS:
            plain.append(token)
            continue
        terms += [[[w]] for w in _words(" ".join(plain))]
        plain = []
        if low in READINGS:
            alternatives: Term = []
            for reading in READINGS[low]:
                folded = _WORD_RE.findall(fold_diacritics(reading))
                if folded not in alternatives:
                    alternatives.append(folded)
            terms.append(alternatives)
    return terms


def _phrases(words: list[str]) -> list[list[str]]:
    """A phrase cut after each number written in groups (the groups follow it in the index)."""
    out: list[list[str]] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        if _JOINED_RE.fullmatch(word):
            out.append(current)
            current = []
    return [*out, current] if current else out


def _words(part: str) -> list[str]:
    folded = join_groups(fold_for_search(part), keep_groups=False)
    return _WORD_RE.findall(folded.replace("_", " "))


def substring_forms(query: str, *, max_chars: int = 200) -> list[list[str]]:
    """The query folded for a substring search over stored folded text (the review queue's
    search over `stories.search_text`): the forms it may take, each a list of pieces that
    must occur in that order.

    The stored text holds a number written in groups as the joined word followed by its
    groups ("0912345678 0912 345 678"), so the joined form is cut after each joined word
    and "0912.345.678", "+84 912 345 678" or "TP.HCM" in the query meet any writing in the
    text. The form as written (groups not joined) still finds text folded before groups
    were joined, until the re-index (`soitin.text.reindex`) has refolded it.
    """
    folded = fold_for_search(query.strip())[:max_chars]
    if not folded.strip():
        return []
    joined = join_groups(folded, keep_groups=False)
    pieces: list[str] = []
    pos = 0
    for match in _JOINED_IN_TEXT_RE.finditer(joined):
        pieces.append(joined[pos : match.end()])
        pos = match.end()
    pieces.append(joined[pos:])
    forms = [[p for p in pieces if p.strip()]]
    if joined != folded:
        forms.append([folded])
    return forms


def _fts5_match(terms: list[Term]) -> str:
    # Every word is quoted: only \w characters inside, so nothing is read as an operator.
    def one(term: Term) -> str:
        alts = ['"' + " ".join(words) + '"' for words in term]
        return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"

    return " AND ".join(one(term) for term in terms)


def _tsquery(terms: list[Term]) -> str:
    def one(term: Term) -> str:
        alts = [" <-> ".join(words) for words in term]
        body = " | ".join(f"({a})" if " " in a else a for a in alts)
        return f"({body})" if len(alts) > 1 else body

    return " & ".join(one(term) for term in terms)


def matching_story_ids(session: Session, query: str, *, limit: int = 2000) -> list[int]:
    """The stories of the newest `limit` items matching `query` (unranked: a filter, cheap).

    For filters such as the review queue's search, where the order comes from elsewhere:
    ranking every match by relevance costs far more than reading the newest ones off the
    index.
    """
    terms = parse_query(query)
    if not terms:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sql = (
            "SELECT DISTINCT story_id FROM (SELECT i.story_id FROM items AS i "
            "WHERE to_tsvector('simple', i.text_folded) @@ to_tsquery('simple', :q) "
            "ORDER BY i.id DESC LIMIT :limit) AS newest WHERE story_id IS NOT NULL"
        )
        q = _tsquery(terms)
    else:
        sql = (
            "SELECT DISTINCT i.story_id FROM items AS i WHERE i.id IN (SELECT rowid FROM "
            "items_fts WHERE items_fts MATCH :q ORDER BY rowid DESC LIMIT :limit) "
            "AND i.story_id IS NOT NULL"
        )
        q = _fts5_match(terms)
    rows = session.execute(sql_text(sql), {"q": q, "limit": limit}).scalars()
    return sorted(int(r) for r in rows)


def search_items(
    session: Session,
    query: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    source_ids: Sequence[int] | None = None,
    province_codes: Sequence[str] | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SearchHit]:
    """Items matching `query` (best first) within the filters.

    `since`/`until` bound the item's time (published, else fetched; `until` exclusive),
    `province_codes` keeps items tagged with any of the codes. An empty query lists the
    filtered items, newest first.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(key="search.limit", limit=MAX_LIMIT)
    if offset < 0:
        raise InvalidInputError(key="search.offset")
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInputError(key="search.naive_time", field=name)
    terms = parse_query(query)
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    where: list[str] = []
    when = "COALESCE(i.published_at, i.fetched_at)"
    typed: list[BindParameter[Any]] = []
    if since is not None:
        where.append(f"{when} >= :since")
        params["since"] = since
        typed.append(bindparam("since", type_=UTCDateTime()))
    if until is not None:
        where.append(f"{when} < :until")
        params["until"] = until
        typed.append(bindparam("until", type_=UTCDateTime()))
    if source_ids:
        where.append("i.source_id IN :source_ids")
        params["source_ids"] = [int(s) for s in source_ids]
        typed.append(bindparam("source_ids", expanding=True))
    if category is not None:
        where.append("i.category = :category")
        params["category"] = category
    if province_codes:
        params["province_codes"] = [str(c) for c in province_codes]
        typed.append(bindparam("province_codes", expanding=True))
        if dialect == "postgresql":
            where.append(
                "EXISTS (SELECT 1 FROM json_array_elements_text(i.province_codes) AS pc(value) "
                "WHERE pc.value IN :province_codes)"
            )
        else:
            where.append(
                "EXISTS (SELECT 1 FROM json_each(i.province_codes) AS pc "
                "WHERE pc.value IN :province_codes)"
            )

    columns = (
        "i.id, i.source_id, i.title, i.text, i.published_at, i.fetched_at, "
        "i.province_codes, i.category"
    )
    if not terms:
        score = "0.0"
        from_clause = "items AS i"
        order = f"{when} DESC, i.id DESC"
    elif dialect == "postgresql":
        params["q"] = _tsquery(terms)
        where.insert(0, "to_tsvector('simple', i.text_folded) @@ to_tsquery('simple', :q)")
        score = "ts_rank(to_tsvector('simple', i.text_folded), to_tsquery('simple', :q))"
        from_clause = "items AS i"
        order = f"score DESC, {when} DESC, i.id DESC"
    else:
        params["q"] = _fts5_match(terms)
        where.insert(0, "items_fts MATCH :q")
        score = "-bm25(items_fts)"
        from_clause = "items_fts JOIN items AS i ON i.id = items_fts.rowid"
        order = f"score DESC, {when} DESC, i.id DESC"
    # Only fixed fragments of this module are joined here; every value is a bound parameter.
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {columns}, {score} AS score FROM {from_clause} {where_sql} "  # noqa: S608
    sql += f"ORDER BY {order} LIMIT :limit OFFSET :offset"
    statement = (
        sql_text(sql)
        .bindparams(*typed)
        .columns(
            id=Integer(),
            source_id=Integer(),
            title=Text(),
            text=Text(),
            published_at=UTCDateTime(),
            fetched_at=UTCDateTime(),
            province_codes=JSON(),
            category=String(),
            score=Float(),
        )
    )
    rows = session.execute(statement, params).all()
    words = [w for term in terms for alternative in term for w in alternative]
    return [
        SearchHit(
            item_id=row.id,
            score=float(row.score or 0.0),
            source_id=row.source_id,
            title=row.title,
            snippet=_snippet(row.text or row.title or "", words),
            published_at=row.published_at,
            fetched_at=row.fetched_at,
            province_codes=list(row.province_codes or []),
            category=row.category,
        )
        for row in rows
    ]


def _snippet(text: str, words: list[str]) -> str:
    """About 200 characters of the original text around the first query word."""
    text = " ".join(text.split())
    if len(text) <= _SNIPPET_CHARS:
        return text
    folded = fold_diacritics(text)
    start = 0
    if len(folded) == len(text):  # offsets agree (precomposed text)
        for word in words:
            found = re.search(rf"\b{re.escape(word)}", folded)
            if found:
                start = max(0, found.start() - _SNIPPET_CHARS // 4)
                break
    piece = text[start : start + _SNIPPET_CHARS]
    return ("…" if start else "") + piece + ("…" if start + _SNIPPET_CHARS < len(text) else "")
