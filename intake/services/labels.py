"""Drawing QR labels at the printer's own resolution, and laying them out in PDFs.

Scannable by construction: every QR module is a whole number of printer
dots (at least four), with the full four-module quiet zone, and the image is
drawn at the stock's resolution and never resampled. Text is drawn as text:
whatever a user typed can neither overflow the label nor be interpreted.
"""

from __future__ import annotations

import functools
import io
import math
import os
import unicodedata
from dataclasses import dataclass

import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from .label_stock import Stock

MIN_MODULE_DOTS = 4
QUIET_ZONE_MODULES = 4
ELLIPSIS = "…"
# Pillow carries a font of its own; a system DejaVu, when there is one, is bolder and wider in its coverage.
SYSTEM_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")


class LabelTooSmall(ValueError):
    """The stock cannot hold a QR code of this URL with modules of at least 4 dots."""


@dataclass(frozen=True)
class LabelContent:
    url: str  # what the QR code holds
    code: str  # printed large, for people
    lines: tuple[str, ...] = ()  # category, date and place, organisation: as many as fit


def printable_text(text: str | None) -> str:
    """Text as a label can show it: no control or format characters, no emoji; one line."""
    kept = []
    for char in unicodedata.normalize("NFC", text or ""):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk") or category.startswith("Z"):
            kept.append(" " if category.startswith("Z") or char in "\t\n\r" else "")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


@functools.cache
def font(size: int, path: str | None = None) -> ImageFont.FreeTypeFont:
    for candidate in ([path] if path else []) + list(SYSTEM_FONTS):
        if candidate and os.path.exists(candidate):
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def fit_text(text: str, face: ImageFont.FreeTypeFont, width: int) -> str:
    """The text, shortened with an ellipsis if it is wider than ``width`` dots."""
    # No glyph is narrower than a fifth of the size: longer text cannot fit, so measure less of it.
    text = text[: int(width / (face.size * 0.2)) + 1]
    if face.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with its ellipsis
        middle = (low + high + 1) // 2
        if face.getlength(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return (text[:low].rstrip() + ELLIPSIS) if low else ""


@functools.lru_cache(maxsize=2048)
def text_ink(text: str, size: int, font_path: str | None, width: int) -> Image.Image:
    """``text`` fitted to ``width`` dots and drawn in 1-bit ink (a mask: 1 where black).

    Kept: a batch repeats its dates, places and categories from label to label.
    """
    face = font(size, font_path)
    fitted = fit_text(printable_text(text), face, width)
    ink = Image.new("1", (max(1, int(face.getlength(fitted)) + 1), int(size * 1.25)), 0)
    if fitted:
        draw = ImageDraw.Draw(ink)
        draw.fontmode = "1"  # thermal printers print dots, not shades of grey
        draw.text((0, 0), fitted, font=face, fill=1)
    return ink


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of ``url`` (error correction M), without the quiet zone."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.modules


def qr_image(matrix: list[list[bool]], module_dots: int) -> Image.Image:
    """One pixel per module, each repeated ``module_dots`` times (no resampling), in its quiet zone."""
    size = len(matrix)
    small = Image.new("1", (size + 2 * QUIET_ZONE_MODULES,) * 2, 1)
    symbol = Image.new("1", (size, size), 1)
    symbol.putdata([0 if dark else 1 for row in matrix for dark in row])
    small.paste(symbol, (QUIET_ZONE_MODULES, QUIET_ZONE_MODULES))
    return small.resize((small.width * module_dots,) * 2, Image.Resampling.NEAREST)


def render_label(stock: Stock, content: LabelContent, *, font_path: str | None = None) -> Image.Image:
    """The label as a 1-bit image of exactly the stock's dots, with its dpi recorded."""
    width, height = stock.width_dots, stock.height_dots
    image = Image.new("1", (width, height), 1)
    edge = stock.dots(0.5)  # keeps the quiet zone on the label, off its very edge
    matrix = qr_matrix(content.url)
    modules = len(matrix) + 2 * QUIET_ZONE_MODULES
    module = min(height - 2 * edge, (width - 2 * edge) // 2) // modules
    if module < MIN_MODULE_DOTS:
        raise LabelTooSmall(f"{stock.id}: a QR code of {modules} modules needs "
                            f"{modules * MIN_MODULE_DOTS} dots, the label has {height - 2 * edge}")
    code_image = qr_image(matrix, module)
    top = (height - code_image.height) // 2
    image.paste(code_image, (edge, top))

    # Text to the right of the code; the quiet zone is the gap.
    left = edge + code_image.width
    right = width - stock.dots(1.0)
    text_width = right - left
    usable_height = height - 2 * stock.dots(1.0)

    # The code is never shortened. Sized for the widest code of its length, so that
    # every label of a stock shows its code at the same size.
    code_size = int(usable_height * 0.32)
    widest = "M" * len(content.code)
    measured = font(code_size, font_path).getlength(widest)
    if measured > text_width:
        code_size = int(code_size * text_width / measured)  # widths grow in proportion to the size
    while code_size > stock.dots(1.5) and font(code_size, font_path).getlength(widest) > text_width:
        code_size -= 1
    # Smaller lines rather than fewer, down to 1.6 mm; then the last lines give way.
    wanted = max(1, len(content.lines))
    line_size = max(stock.dots(1.6), min(int(code_size * 0.5), int((usable_height - code_size * 1.2) / (1.25 * wanted))))
    line_step = int(line_size * 1.25)
    room = max(0, (usable_height - int(code_size * 1.2)) // line_step)
    lines = [text_ink(line, line_size, font_path, text_width) for line in content.lines if printable_text(line)][:room]

    block = int(code_size * 1.2) + line_step * len(lines)
    y = (height - block) // 2
    image.paste(0, (left, y), text_ink(content.code, code_size, font_path, 10 * width))
    y += int(code_size * 1.2)
    for ink in lines:
        image.paste(0, (left, y), ink)
        y += line_step
    image.info["dpi"] = (stock.dpi, stock.dpi)
    return image


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # A 1-bit label compresses well at the fastest level.
    image.save(out, "PNG", dpi=(image.info.get("dpi") or (300, 300)), compress_level=1)
    return out.getvalue()


def labels_pdf(stock: Stock, images: list[Image.Image], *, skip: int = 0,
               offset_mm: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """Labels laid out on the stock: sheets position by position, rolls one page per label.

    ``skip`` leaves the first positions of the first sheet empty (a half-used
    sheet); ``offset_mm`` moves everything to correct a printer's drift.
    """
    page_width, page_height = stock.page_size_mm
    pdf = FPDF(unit="mm", format=(page_width, page_height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("intake")
    drawn_width, drawn_height = stock.drawn_size_mm
    inset_x, inset_y = stock.inset_mm
    for index, image in enumerate(images, start=skip if stock.sheet else 0):
        if stock.sheet:
            if index == skip or index % stock.sheet.per_page == 0:
                pdf.add_page()
            x, y = stock.sheet.position(index)
        else:
            pdf.add_page()
            x, y = 0.0, 0.0
        pdf.image(image.convert("L"), x=x + inset_x + offset_mm[0], y=y + inset_y + offset_mm[1],
                  w=drawn_width, h=drawn_height)
    if not images:
        pdf.add_page()
    return bytes(pdf.output())


def calibration_pdf(stock: Stock, *, offset_mm: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """Outlines of every label and millimetre rulers: print at 100 % and lay it on the stock."""
    page_width, page_height = stock.page_size_mm
    pdf = FPDF(unit="mm", format=(page_width, page_height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_page()
    pdf.set_line_width(0.1)
    positions = ([stock.sheet.position(i) for i in range(stock.sheet.per_page)] if stock.sheet else [(0.0, 0.0)])
    for x, y in positions:
        pdf.rect(x + offset_mm[0], y + offset_mm[1], stock.width_mm, stock.height_mm)
    # Rulers along the top and left edges: a tick per mm, longer each 5 and 10 mm.
    for mm in range(0, math.floor(page_width) + 1):
        length = 4 if mm % 10 == 0 else 2.5 if mm % 5 == 0 else 1.2
        pdf.line(mm, 0, mm, length)
    for mm in range(0, math.floor(page_height) + 1):
        length = 4 if mm % 10 == 0 else 2.5 if mm % 5 == 0 else 1.2
        pdf.line(0, mm, length, mm)
    pdf.set_font("helvetica", size=min(8, max(4, page_height / 5)))
    if stock.sheet:
        for mm in range(10, math.floor(page_width), 10):
            pdf.text(mm + 0.5, 6.5, str(mm))
        for mm in range(10, math.floor(page_height), 10):
            pdf.text(5, mm + 1, str(mm))
        pdf.text(20, page_height / 2, f"{stock.name}: 100 %")
    return bytes(pdf.output())
