"""Reserving codes ahead of intake, for labels printed blank."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import IssuedCode, User
from .codes import new_code

MAX_RESERVATION = 1000
_ATTEMPTS = 5


def reserve_codes(session: Session, count: int, *, batch: str, user: User) -> list[str]:
    """Enter ``count`` fresh codes in the register as pre-printed, unbound. Commits.

    A clash with a code already issued (rare: 33 million codes) fails the
    whole insert at its primary key, and the batch is drawn again.
    """
    if not 0 < count <= MAX_RESERVATION:
        raise ValueError(f"between 1 and {MAX_RESERVATION} codes at a time")
    for _ in range(_ATTEMPTS):
        codes = set()
        while len(codes) < count:
            codes.add(new_code())
        session.add_all(IssuedCode(code=code, kind="preprinted", batch=batch, created_by_id=user.id)
                        for code in sorted(codes))
        try:
            session.commit()
            return sorted(codes)
        except IntegrityError:
            session.rollback()
    raise RuntimeError("could not reserve fresh codes")
