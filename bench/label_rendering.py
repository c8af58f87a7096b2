"""Label rendering: PNG labels per second next to raw qrcode + Pillow for the same QR, and an A4 sheet.

    python bench/label_rendering.py [--labels 300] [--stock brother-dk-11209]

The baseline draws the same QR code (same version, module size and quiet
zone) with qrcode's own Pillow image factory and saves it as PNG: the least
any label needs. Ours adds the text and lays out the label.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import qrcode  # noqa: E402
from qrcode.image.pil import PilImage  # noqa: E402

from intake.services.codes import new_code  # noqa: E402
from intake.services.label_stock import load_stocks  # noqa: E402
from intake.services.labels import LabelContent, labels_pdf, png_bytes, qr_matrix, render_label  # noqa: E402

BASE = "https://intake.example.org/i/"


def content(code: str, distinct: bool = False) -> LabelContent:
    """A typical batch label; ``distinct`` gives every label its own model line (nothing repeats but the date)."""
    model = f"Lenovo ThinkPad T480 n° {code}" if distinct else "Lenovo ThinkPad T480"
    return LabelContent(BASE + code, code, ("Ordinateur portable", "26/11/2026 · Ressourcerie de la Roseraie",
                                            model, "Emmaüs Angers"))


def raw_png(code: str, module: int) -> bytes:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module, border=4)
    qr.add_data(BASE + code)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(image_factory=PilImage).save(out)
    return out.getvalue()


def rate(function, codes) -> float:
    started = time.perf_counter()
    for code in codes:
        function(code)
    return len(codes) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=300)
    parser.add_argument("--stock", default="brother-dk-11209")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stocks = load_stocks(os.path.join(ROOT, "labels"))
    stock = stocks[args.stock]
    codes = [new_code() for _ in range(args.labels)]
    image = render_label(stock, content(codes[0]))
    module = next(m for m in range(40, 3, -1) if (len(qr_matrix(BASE + codes[0])) + 8) * m <= image.height - stock.dots(1))

    ours, distinct, raw = [], [], []
    for _ in range(args.rounds):  # interleaved, so that all see the same machine
        raw.append(rate(lambda code: raw_png(code, module), codes))
        ours.append(rate(lambda code: png_bytes(render_label(stock, content(code))), codes))
        distinct.append(rate(lambda code: png_bytes(render_label(stock, content(code, distinct=True))), codes))
    ours_rate, raw_rate, distinct_rate = statistics.median(ours), statistics.median(raw), statistics.median(distinct)

    sheet = stocks["avery-l7651"]
    sheet_codes = [new_code() for _ in range(sheet.sheet.per_page)]
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        labels_pdf(sheet, [render_label(sheet, content(code)) for code in sheet_codes])
        timings.append(time.perf_counter() - started)

    print(f"{args.stock}: {stock.width_dots} × {stock.height_dots} dots at {stock.dpi} dpi, QR modules of {module} dots")
    print(f"  raw qrcode + Pillow PNG      {raw_rate:8.1f} QR/s")
    print(f"  intake label PNG             {ours_rate:8.1f} labels/s")
    print(f"  intake label PNG, lines unlike {distinct_rate:8.1f} labels/s")
    print(f"  ratio intake / raw: {ours_rate / raw_rate:.2f} (target >= 0.8); "
          f"with every model line different: {distinct_rate / raw_rate:.2f}")
    print(f"  A4 sheet of {sheet.name} ({sheet.sheet.per_page} labels) as PDF: {statistics.median(timings):.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
