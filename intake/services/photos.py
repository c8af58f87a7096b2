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
# A 200-megapixel camera stays under this; anything larger is a decompression bomb.
MAX_SOURCE_PIXELS = 200_000_000


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
    """Decode, straighten, shrink and re-encode a photo, dropping EXIF and GPS."""
    if not upload:
        raise PhotoRejected(_l("The photo is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(_l("This file is not a photo (JPEG, PNG or WebP expected)."))
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise PhotoRejected(_l("This photo has too many pixels."))
            image.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise PhotoRejected(_l("This file is not a photo (JPEG, PNG or WebP expected).")) from None

    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= argument: the new file carries no metadata at all.
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return EncodedPhoto(out.getvalue(), image.width, image.height, hashlib.sha256(upload).hexdigest())


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
