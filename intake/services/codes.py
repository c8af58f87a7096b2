"""Item codes: short, read aloud and typed by people, printed on labels.

A code is five random symbols and a check symbol from a 32-symbol alphabet
without 0/O and 1/I, e.g. ``K7M2QX``. The check symbol (Luhn mod 32) catches
every single mistyped symbol and most swapped neighbours, so a typo never
opens the wrong item. Uniqueness is the database's job (a unique
constraint); the caller retries on the rare collision, which keeps
allocation free of races between workers and machines.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BODY_LENGTH = 5
CODE_LENGTH = BODY_LENGTH + 1
_INDEX = {symbol: i for i, symbol in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_.]")


def check_symbol(body: str) -> str:
    """Luhn mod N over the alphabet."""
    n = len(ALPHABET)
    total = 0
    factor = 2
    for symbol in reversed(body):
        addend = factor * _INDEX[symbol]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def normalize_code(text: str) -> str | None:
    """The canonical form of a typed or scanned code, or None if it cannot be one.

    Case, spaces and dashes do not matter; a wrong check symbol does.
    """
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != CODE_LENGTH or any(c not in _INDEX for c in code):
        return None
    if check_symbol(code[:-1]) != code[-1]:
        return None
    return code


def item_address(base_url: str, code: str) -> str:
    """An item's permanent address, printed in its QR code: never change its shape (labels are out there)."""
    return f"{base_url.rstrip('/')}/i/{code}"
