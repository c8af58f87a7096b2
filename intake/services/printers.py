"""Sending a label to a network printer: Brother QL (raster protocol) or Zebra (ZPL), TCP 9100.

A printer that is off or out of reach answers within ``timeout`` seconds
with PrinterUnavailable; the caller offers the PDF instead.

A coordinator sets the address, and the server connects to it: so only the
printer ports are allowed, and never this machine or a link-local address
(cloud metadata) unless a print server runs here (``Reach``). Names are
resolved once and the address checked is the one connected to.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from .label_stock import Stock

DEFAULT_PORT = 9100
DEFAULT_BROTHER_MODEL = "QL-820NWB"


class PrinterUnavailable(RuntimeError):
    """The printer could not be reached or refused the job; nothing was printed."""


class PrinterMisconfigured(ValueError):
    """The printer address or its stock cannot work; a coordinator must fix the settings."""


@dataclass(frozen=True)
class Reach:
    """Where printers may be: these ports, and this machine or link-local addresses only if allowed."""

    ports: tuple[int, ...] = (DEFAULT_PORT,)
    allow_local: bool = False

    @classmethod
    def from_config(cls, config) -> "Reach":
        return cls(tuple(int(port) for port in config["PRINTER_PORTS"]), bool(config["PRINTER_ALLOW_LOCAL"]))

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if ip.is_unspecified or ip.is_multicast:  # 0.0.0.0 is this machine too
            return False
        return self.allow_local or not (ip.is_loopback or ip.is_link_local)


@dataclass(frozen=True)
class Printer:
    protocol: str  # "brother-ql" or "zpl"
    host: str
    port: int
    model: str | None = None

    @classmethod
    def from_uri(cls, uri: str, reach: Reach) -> "Printer":
        """``brother-ql://host[:port][?model=QL-820NWB]`` or ``zpl://host[:port]``, on a port ``reach`` allows;
        an address written as numbers must be one it allows too (names are checked when resolved)."""
        parts = urlsplit(uri or "")
        if parts.scheme not in ("brother-ql", "zpl") or not parts.hostname:
            raise PrinterMisconfigured(f"not a printer address: {uri!r}")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise PrinterMisconfigured(f"not a printer port: {uri!r}") from None
        if port not in reach.ports:
            raise PrinterMisconfigured(f"not a printer port: {uri!r}")
        if _is_address(parts.hostname) and not reach.allows(parts.hostname):
            raise PrinterMisconfigured(f"not a printer's address: {uri!r}")
        model = parse_qs(parts.query).get("model", [None])[0]
        return cls(parts.scheme, parts.hostname, port, model)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_printer_uri(uri: str, reach: Reach) -> Printer:
    """The printer of a settings form, its name resolved if it can be now: PrinterMisconfigured if the
    address is not one ``reach`` allows. A name that does not resolve yet is accepted (checked at print)."""
    printer = Printer.from_uri(uri, reach)
    try:
        _addresses(printer, reach)
    except PrinterUnavailable:
        pass
    return printer


def _addresses(printer: Printer, reach: Reach) -> list[tuple[str, int]]:
    """Where to connect: every address the name resolves to, all allowed, or PrinterMisconfigured."""
    try:
        found = socket.getaddrinfo(printer.host, printer.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise PrinterUnavailable(f"{printer.host}: {error}") from None
    if not found or not all(reach.allows(sockaddr[0]) for *_, sockaddr in found):
        raise PrinterMisconfigured(f"{printer.host} resolves to an address that is not a printer's")
    return [sockaddr[:2] for *_, sockaddr in found]


def printer_job(printer: Printer, stock: Stock, label: Image.Image) -> bytes:
    """The bytes that make ``printer`` print ``label`` once."""
    if stock.protocol != printer.protocol:
        raise PrinterMisconfigured(f"the stock {stock.id} is not for a {printer.protocol} printer")
    if printer.protocol == "brother-ql":
        return brother_raster(label, stock, printer.model or DEFAULT_BROTHER_MODEL)
    return zpl_job(label)


def brother_raster(label: Image.Image, stock: Stock, model: str) -> bytes:
    # brother-ql-next is GPL-3.0: an optional extra, imported only when a Brother prints.
    try:
        from brother_ql.conversion import convert
        from brother_ql.raster import BrotherQLRaster
    except ImportError:
        raise PrinterMisconfigured("Brother printing needs the 'brother' extra: pip install 'intake[brother]'") from None
    raster = BrotherQLRaster(model)
    raster.exception_on_warning = True
    convert(qlr=raster, images=[label.convert("L")], label=stock.brother_label, rotate="0", threshold=50,
            dither=False, compress=True, red=False, dpi_600=False, hq=True, cut=True)
    return bytes(raster.data)


def zpl_job(label: Image.Image) -> bytes:
    """The label as one ZPL graphic field (^GFA): exactly the dots we drew."""
    bitmap = label.convert("1")
    width, height = bitmap.size
    row_bytes = (width + 7) // 8
    # PIL packs "1" images MSB first with 1 = white; ZPL wants 1 = black.
    packed = bytes(b ^ 0xFF for b in bitmap.tobytes())
    padded = b"".join(packed[r * row_bytes:(r + 1) * row_bytes] for r in range(height))
    total = len(padded)
    return (f"^XA^PW{width}^LL{height}^LH0,0^FO0,0^GFA,{total},{total},{row_bytes},".encode()
            + padded.hex().upper().encode() + b"^FS^PQ1^XZ")


def send(printer: Printer, job: bytes, *, reach: Reach, timeout: float = 5.0) -> None:
    """Deliver the job over TCP to an address ``reach`` allows (PrinterMisconfigured otherwise), or raise
    PrinterUnavailable within about ``timeout`` seconds."""
    address = _addresses(printer, reach)[0]
    try:
        # The address checked, not the name again: a name cannot resolve elsewhere in between.
        with socket.create_connection(address, timeout=timeout) as connection:
            connection.settimeout(timeout)
            connection.sendall(job)
    except OSError as error:
        raise PrinterUnavailable(f"{printer.host}:{printer.port}: {error.strerror or error}") from None
