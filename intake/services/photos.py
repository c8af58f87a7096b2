"""Item photos: whatever a phone sends becomes a small, clean JPEG."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from ..models import Item, ItemEvent, Photo, User

# What phones and browsers send from a camera or gallery (MPO: multi-picture JPEG).
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
# What photos decode to: 8 bits a channel (Pillow reads a 16-bit RGB PNG as RGB). A 16-bit greyscale
# image is a scan or a measurement, not a phone's photo, and would cost twice the memory.
PHOTO_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr"})
# More than a 200-megapixel camera makes: refused from the header alone.
MAX_SOURCE_PIXELS = 200_000_000
# What may be decoded at once, far below Pillow's own 89-megapixel guard: about 100 MB at Pillow's
# 4 bytes a pixel. A baseline JPEG is decoded already reduced (1/2 to 1/8, ``draft``), so a
# 108-megapixel phone photo decodes to 7 megapixels; a PNG or a WebP is decoded whole, and a
# progressive JPEG holds the coefficients of the whole image while it decodes, whatever the scale.
MAX_DECODED_PIXELS = 24_000_000
# Modes copied whole before they shrink well (a palette made RGB, alpha premultiplied): they count twice.
COPIED_TO_SHRINK = frozenset({"1", "P", "PA", "LA", "RGBA"})

NOT_A_PHOTO = _l("This file is not a photo (JPEG, PNG or WebP expected).")
TOO_MANY_PIXELS = _l("This photo has too many pixels: take it again at a lower resolution, or send a smaller image.")


class PhotoRejected(ValueError):
    """The upload is not a photo we accept; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class EncodedPhoto:
    content: bytes
    width: int
    height: int
    sha256: str  # of the upload as received, so a resent upload is recognised


def encode_photo(upload: bytes, *, max_pixels: int, quality: int) -> EncodedPhoto:
    """Decode, straighten, shrink and re-encode a photo, dropping EXIF, GPS and comments."""
    image = shrunk_image(upload, max_pixels=max_pixels)
    if image.mode != "RGB":
        image = image.convert("RGB")
    # Nothing of the upload's metadata goes with the pixels: no EXIF, GPS, comment, XMP or profile.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return EncodedPhoto(out.getvalue(), image.width, image.height, hashlib.sha256(upload).hexdigest())


def shrunk_image(upload: bytes, *, max_pixels: int) -> Image.Image:
    """An uploaded image decoded, straightened and shrunk to ``max_pixels`` on its longest side, still
    with its metadata: the one way uploads are decoded (photos, and the structure's logo).

    Its size and mode are checked from the header, before anything is decoded:
    a small file that would decode to a huge image is refused cheaply.
    """
    if not upload:
        raise PhotoRejected(_l("The photo is empty."))
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels; the check below is stricter, on what is really decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(NOT_A_PHOTO)
            if _pixels_held(image, max_pixels) > MAX_DECODED_PIXELS:
                raise PhotoRejected(TOO_MANY_PIXELS)
            if image.mode not in PHOTO_MODES:
                raise PhotoRejected(_l("This image has 16 bits a channel: save it as an ordinary JPEG or PNG."))
            image.load()
    except PhotoRejected:
        raise
    except Image.DecompressionBombError:
        raise PhotoRejected(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRejected(NOT_A_PHOTO) from None

    if image.mode in ("1", "P", "PA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")  # palettes resize badly
    # Shrunk first, then turned and converted: only the small copy is ever duplicated. Box-averaged
    # near the target first, which costs less than the fine filter over the whole image.
    factor = max(image.size) // max_pixels
    if factor > 1:
        image = image.reduce(factor)
    image.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    return ImageOps.exif_transpose(image)


def _pixels_held(image: Image.Image, max_pixels: int) -> int:
    """How many pixels decoding and shrinking will hold at once; sets a JPEG to decode reduced, near the
    target size (which changes ``image.size``)."""
    width, height = image.size
    if width * height > MAX_SOURCE_PIXELS:
        return width * height
    if image.format in ("JPEG", "MPO"):
        if image.info.get("progressive"):
            return width * height
        scale = min(1.0, max_pixels / max(width, height))
        image.draft(None, (max(1, int(width * scale)), max(1, int(height * scale))))
    return image.width * image.height * (2 if image.mode in COPIED_TO_SHRINK else 1)


def attach_photo(session: Session, item: Item, photo: EncodedPhoto, *, user: User) -> bool:
    """Give the item this photo (replacing an earlier one). Sending the same upload again changes
    nothing, so a phone resending after a lost answer is harmless. Returns whether it changed. Commits."""
    current = session.scalar(sa.select(Photo).where(Photo.item_id == item.id))
    if current is not None and current.sha256 == photo.sha256:
        return False
    if current is not None:
        session.delete(current)
        session.flush()
    session.add(Photo(item_id=item.id, content=photo.content, width=photo.width, height=photo.height,
                      sha256=photo.sha256))
    session.add(ItemEvent(item_id=item.id, kind="photo", user_id=user.id))
    session.commit()
    return True
