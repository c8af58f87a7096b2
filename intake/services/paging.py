"""Long lists one page at a time, by keyset: a page starts after the last row of the one before, so page 500
costs what page 1 does and nothing counts the rows. The link carries only that row's id (``after``): its
sort keys are read back from the row itself, so no name, date or reference of anyone travels in a URL, and
a row the visitor may not see (or a cursor that is not one) gives the first page.
A list shows "next" while there is more, and "back to the start"; the browser's back button does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Page:
    rows: list
    after: int | None  # the id of the row this page starts after (None: the first page)
    next_after: int | None  # where the next page starts (None: this is the last)

    @property
    def is_first(self) -> bool:
        return self.after is None


def cursor(value) -> int | None:
    """A cursor from a query string: a row id, or None."""
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def keyset_page(session: Session, query: sa.Select, keys: tuple, *, after, size: int,
                descending: bool = False) -> Page:
    """``size`` rows of ``query`` (one entity) in the order of ``keys``, whose last is the entity's id,
    starting after the row whose id is ``after``. The query must not be ordered already."""
    anchor_id = cursor(after)
    start = None
    if anchor_id is not None:
        # The anchor is looked for among the list's own rows only (the same conditions).
        anchor = sa.select(*keys).where(keys[-1] == anchor_id)
        if query.whereclause is not None:
            anchor = anchor.where(query.whereclause)
        start = session.execute(anchor).first()
    if start is not None:
        row, bound = sa.tuple_(*keys), sa.tuple_(*(sa.literal(value, key.type) for value, key in zip(start, keys)))
        query = query.where(row < bound if descending else row > bound)
    query = query.order_by(*(key.desc() if descending else key for key in keys)).limit(size + 1)
    rows = list(session.scalars(query).unique())
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, after=anchor_id if start is not None else None,
                next_after=getattr(rows[-1], keys[-1].key) if more else None)


def list_page(rows: list, *, after, size: int) -> Page:
    """``size`` rows of a list already read whole and in order (a report's lines: reading them is cheap,
    showing them all is not), after the first ``after``: the cursor is a position in the list, which names
    nothing and no one."""
    start = cursor(after) or 0
    start = start if start < len(rows) else 0
    shown = rows[start:start + size]
    return Page(rows=shown, after=start or None, next_after=start + size if start + size < len(rows) else None)
