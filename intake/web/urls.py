"""Addresses: an item's permanent URL (the QR target), and where a redirect may go."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from ..services.codes import item_address


def item_url_base() -> str:
    """PUBLIC_BASE_URL, or the address the app is reached at: item URLs start with it, and scanned
    URLs must, to be followed (our own item addresses only)."""
    return (current_app.config["PUBLIC_BASE_URL"] or request.host_url).rstrip("/")


def item_url(code: str) -> str:
    """The QR target printed on a label: <base>/i/<code>."""
    return item_address(item_url_base(), code)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
