"""Decompression bombs are refused before they are decoded; large real photos are accepted, cheaply.

The files are written by hand (a PNG is rows of zeros through zlib, a JPEG a
uniform grey with one-code Huffman tables), so that making a 108-megapixel
photo costs the test no memory. Memory is measured in a fresh interpreter:
its peak resident size before and after the photo is encoded.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image


from .factories import make_item

TOO_MANY_PIXELS = "Cette photo a trop de pixels"


def png(width: int, height: int, *, bit_depth: int = 8, color_type: int = 2) -> bytes:
    """A PNG of zeros: a few hundred KB that decode to width × height pixels."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\0" * (1 + width * channels * bit_depth // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def jpeg(width: int, height: int, *, comment: bytes = b"") -> bytes:
    """A baseline 4:2:0 JPEG, as phones write them, of a uniform grey, with an optional comment segment."""

    def segment(marker: int, body: bytes) -> bytes:
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body

    blocks = -(-width // 16) * -(-height // 16) * 6  # four luma and two chroma blocks per 16 × 16 pixels
    bits = blocks * 2  # each block: DC difference 0 ("0"), then end of block ("0")
    scan = b"\0" * (bits // 8) + (bytes([(1 << (8 - bits % 8)) - 1]) if bits % 8 else b"")
    one_code_table = bytes([1] + [0] * 15) + b"\x00"
    return (b"\xff\xd8" + (segment(0xFE, comment) if comment else b"")
            + segment(0xDB, b"\x00" + b"\x01" * 64)
            + segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0]))
            + segment(0xC4, b"\x00" + one_code_table) + segment(0xC4, b"\x10" + one_code_table)
            + segment(0xDA, bytes([3, 1, 0, 2, 0, 3, 0, 0, 63, 0]))
            + scan + b"\xff\xd9")


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    files = {
        "bomb.png": png(9400, 9400),  # 8-bit RGB
        "bomb16.png": png(9400, 9400, bit_depth=16, color_type=0),  # 16-bit greyscale
        "photo108.jpg": jpeg(12000, 9000, comment=b"shot at 12 rue des Lices, Angers"),
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


MEASURE = """
import json, sys
from intake.services.photos import PhotoRejected, encode_photo

def resident_mb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024

upload = open(sys.argv[1], "rb").read()
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak starts again from here
before = resident_mb("VmRSS:")
try:
    photo = encode_photo(upload, max_pixels=1600, quality=82)
    result = {"accepted": [photo.width, photo.height]}
except PhotoRejected as rejected:
    result = {"refused": str(rejected)}
result["peak_mb"] = resident_mb("VmHWM:") - before
result["peak_total_mb"] = resident_mb("VmHWM:")
print(json.dumps(result))
"""


def encode_in_fresh_interpreter(path) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=root, capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout)


@pytest.mark.parametrize("name, accepted, most_mb", [
    ("bomb.png", False, 40),
    ("bomb16.png", False, 40),
    ("photo108.jpg", True, 120),
])
def test_decoding_memory_is_bounded(uploads, name, accepted, most_mb):
    result = encode_in_fresh_interpreter(uploads / name)
    print(name, result)
    assert ("accepted" in result) == accepted, result
    assert result["peak_mb"] < most_mb, result


@pytest.fixture
def code(app, world):
    with app.app_context():
        return make_item(world).code


def send_photo(client, auth, code, content: bytes, filename: str):
    auth.login_as("volunteer")
    return client.post(f"/i/{code}/photo", data={"csrf_token": auth.csrf_token(),
                                                 "photo": (io.BytesIO(content), filename)},
                       headers={"X-Intake-Submit": "1"}, content_type="multipart/form-data")


@pytest.mark.parametrize("name", ["bomb.png", "bomb16.png"])
def test_bombs_are_refused_with_a_french_message(client, auth, code, uploads, name):
    response = send_photo(client, auth, code, (uploads / name).read_bytes(), name)
    assert response.status_code == 422
    assert response.get_json()["message"].startswith(TOO_MANY_PIXELS)
    assert client.get(f"/i/{code}/photo").status_code == 404


def test_a_108_megapixel_phone_photo_is_kept_small_and_without_its_comment(client, auth, code, uploads):
    response = send_photo(client, auth, code, (uploads / "photo108.jpg").read_bytes(), "IMG_0001.jpg")
    assert response.status_code == 200, response.get_json()
    stored = client.get(f"/i/{code}/photo").data
    image = Image.open(io.BytesIO(stored))
    assert image.size == (1600, 1200)
    assert "comment" not in image.info
    assert b"rue des Lices" not in stored


def test_a_16_bit_greyscale_image_is_refused_with_a_french_message(client, auth, code):
    response = send_photo(client, auth, code, png(200, 100, bit_depth=16, color_type=0), "scan.png")
    assert response.status_code == 422
    assert "16 bits" in response.get_json()["message"]


def test_a_small_jpeg_keeps_no_comment_either(client, auth, code):
    source = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 60)).save(source, "JPEG", comment=b"owner: Mme Martin")
    assert send_photo(client, auth, code, source.getvalue(), "small.jpg").status_code == 200
    assert b"Mme Martin" not in client.get(f"/i/{code}/photo").data
