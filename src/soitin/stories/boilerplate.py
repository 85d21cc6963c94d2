"""Lines a source repeats under its posts (a page's footer, a feed's signature): boilerplate.

A page that ends every post with the same long footer ("Theo dõi trang … Hotline … Email …")
makes its short posts look alike: their MinHash similarity is mostly the footer's, and
different news of that page would land in one story. So, per batch, each source with posts of
several lines gets its boilerplate: the lines found in at least `MIN_ITEMS` of its last
`WINDOW` posts (those stored before the batch, and the batch's own) and in at least
`MIN_SHARE` of those of several lines. A lower share is not the page's footer but a line
some of its posts share, such as a campaign's template line in a file of many authors.

Boilerplate never creates a match; it only vetoes one (`assign.py`): a post that reaches a
story by its whole text joins it only if it also does with the source's boilerplate lines
taken out of both texts. A verbatim repost by another source keeps its match; a repost
of the page's own post too. Learnt from the stored posts, not stored itself: nothing to
keep in step between workers. Needs `ix_items_source_id_id` (migration 0017).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import Session

from soitin.db.models import Item
from soitin.stories.canonical import canonical_from_folded
from soitin.stories.minhash import estimate_jaccard, signatures
from soitin.text.fold import fold_item_text

__all__ = [
    "MIN_ITEMS",
    "MIN_SHARE",
    "WINDOW",
    "boilerplate_of_sources",
    "body_similarity",
    "folded_of",
    "folded_rows",
    "lines_of",
]

#: Posts of a source looked at, stored before the batch (the batch's own come on top).
WINDOW = 50
#: A line is boilerplate when at least this many of those posts hold it …
MIN_ITEMS = 3
#: … and at least this share of those with several lines.
MIN_SHARE = 1 / 3
#: Only this many lines at the head and at the tail of a post are learnt from: where headers
#: and footers are, and a long article costs no more than a short post.
EDGE_LINES = 12


def folded_of(title: str | None, text: str | None, folded: str | None) -> str:
    """The stored folded text, or the same folding of title and text where it is empty."""
    return folded or fold_item_text(title, text)


def folded_rows(*where: ColumnElement[bool]) -> Select[int, str | None, str | None, str]:
    """A query of (id, title, text, folded text) of the items `where` holds, for `folded_of`:
    title and raw text come back only for an item whose folded text is still empty (a long
    article's raw text is not read twice)."""
    empty = Item.text_folded == ""
    return select(
        Item.id,
        case((empty, Item.title)),
        case((empty, Item.text)),
        Item.text_folded,
    ).where(*where)


def lines_of(folded: str) -> list[str]:
    """The canonical text of each line of a folded text that has any (in order)."""
    if "\n" not in folded:
        canon = canonical_from_folded(folded)
        return [canon] if canon else []
    return [c for c in (canonical_from_folded(line) for line in folded.split("\n")) if c]


def _edges(folded: str) -> list[str]:
    """The canonical lines at the head and tail of a folded text (`EDGE_LINES` each)."""
    if "\n" not in folded:
        return []
    raw = folded.split("\n")
    if len(raw) > 2 * EDGE_LINES:
        raw = raw[:EDGE_LINES] + raw[-EDGE_LINES:]
    return [c for c in (canonical_from_folded(line) for line in raw) if c]


def _learn(texts: Iterable[str]) -> frozenset[str]:
    seen: Counter[str] = Counter()
    several = 0
    for folded in texts:
        lines = _edges(folded)
        if len(lines) < 2:
            continue
        several += 1
        seen.update(set(lines))
    least = max(MIN_ITEMS, several * MIN_SHARE)
    return frozenset(line for line, n in seen.items() if n >= least)


def boilerplate_of_sources(
    session: Session, items: Sequence[Item], folded: Sequence[str]
) -> dict[int, frozenset[str]]:
    """Source id → its boilerplate lines, for the sources of `items` (whose folded texts are
    `folded`, from `folded_of`) that have some.

    Only sources with a post of several lines in `items` are looked up (one query each).
    """
    batch: dict[int, list[str]] = defaultdict(list)
    for it, text in zip(items, folded, strict=True):
        batch[it.source_id].append(text)
    first_id = min((it.id for it in items if it.id is not None), default=None)
    out: dict[int, frozenset[str]] = {}
    for source_id, texts in batch.items():
        if not any(len(_edges(t)) > 1 for t in texts):
            continue
        query = folded_rows(Item.source_id == source_id)
        if first_id is not None:
            query = query.where(Item.id < first_id)
        stored = session.execute(query.order_by(Item.id.desc()).limit(WINDOW)).all()
        learnt = _learn([*texts, *(folded_of(row[1], row[2], row[3]) for row in stored)])
        if learnt:
            out[source_id] = learnt
    return out


def _body(folded: str, boilerplate: frozenset[str]) -> str:
    return " ".join(line for line in lines_of(folded) if line not in boilerplate)


def body_similarity(a_folded: str, b_folded: str, boilerplate: frozenset[str]) -> float | None:
    """Estimated similarity of two folded texts without the `boilerplate` lines; None when
    neither has anything else (nothing to tell them apart), 0 when only one has."""
    a, b = _body(a_folded, boilerplate), _body(b_folded, boilerplate)
    if not a and not b:
        return None
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    sigs = signatures([a, b])
    return float(estimate_jaccard(sigs[0], sigs[1:])[0])
