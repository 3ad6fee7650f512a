"""Exercise photos made ready for print: decoded within bounds (kind by content, pixels from the
header, no JPEG that asks for minutes of decoding, nothing truncated), flattened onto white and
scaled to what the printed size needs, as JPEG, the form the PDF embeds as is.

The handout service calls `print_photo` when it freezes a handout, so the snapshot holds these
very bytes and a re-render embeds them unchanged; a spec written by hand may hold any PNG or
JPEG within the spec's bounds, and is prepared the same way at render time.
"""

import hashlib
import io
import threading
import warnings
from collections import OrderedDict
from typing import NamedTuple

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.image_bytes import MAX_JPEG_SCANS, image_kind, too_many_scans
from hepbuilder.domain.limits import SPEC_PHOTO_MAX_PIXELS
from hepbuilder.domain.spec import HandoutSpec

# The long side of a photo as printed, normal and large print: a photo is about 58 (87) mm wide
# and at most 1.6 times as tall, so this is about 250-350 dpi at its printed size.
PHOTO_PRINT_SIDE_PX = (800, 1200)
PHOTO_JPEG_QUALITY = 85
EXIF_ORIENTATION = 0x0112
PRINT_CACHE_SIZE = 32  # photos made ready, kept by their SHA-256 (about 100-300 KB each)


class PhotoRefused(ValueError):
    """A photo that cannot be printed; the message is a sentence to put after its field."""


class PrintReady(NamedTuple):
    jpeg: bytes
    width_px: int
    height_px: int
    is_grey: bool = False


_ready: OrderedDict[tuple[bytes, bool], PrintReady] = OrderedDict()
_ready_lock = threading.Lock()


def print_photo(data: bytes, large_print: bool = False) -> PrintReady:
    """`data` (PNG or JPEG bytes) as a JPEG sized for print: unchanged when it already is one
    (a baseline or progressive JPEG in RGB or grey, upright, no bigger than print needs), else
    decoded, turned upright, flattened onto white, scaled down and re-encoded without metadata.
    The same bytes always give the same result, kept for the next call by the bytes' SHA-256
    (the bytes themselves are not held). Raises PhotoRefused with a sentence ("is not a
    readable PNG or JPEG image") when `data` is not a bounded, whole PNG or JPEG."""
    key = (hashlib.sha256(data).digest(), large_print)
    with _ready_lock:
        if key in _ready:
            _ready.move_to_end(key)
            return _ready[key]
    ready = _prepare(data, large_print)
    with _ready_lock:
        _ready[key] = ready
        while len(_ready) > PRINT_CACHE_SIZE:
            _ready.popitem(last=False)
    return ready


def _prepare(data: bytes, large_print: bool) -> PrintReady:
    from PIL import Image, ImageOps

    if image_kind(data) is None:
        raise PhotoRefused("is not a PNG or JPEG image")
    if too_many_scans(data):
        raise PhotoRefused(f"is a JPEG with more than {MAX_JPEG_SCANS} scans, too many to decode")
    side_px = PHOTO_PRINT_SIDE_PX[1 if large_print else 0]
    too_many_pixels = f"has too many pixels (at most {SPEC_PHOTO_MAX_PIXELS // 10**6} megapixels)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
                if image.width * image.height > SPEC_PHOTO_MAX_PIXELS:
                    raise PhotoRefused(too_many_pixels)
                as_it_is = (
                    image.format == "JPEG"
                    and image.mode in ("RGB", "L")
                    and image.getexif().get(EXIF_ORIENTATION, 1) == 1
                    and max(image.size) <= side_px
                )
                if image.format == "JPEG" and not as_it_is:
                    image.draft("RGB", (side_px, side_px))  # decode a big JPEG at a fraction
                image.load()  # the whole image decodes: a truncated file is refused here
                if as_it_is:
                    return PrintReady(data, *image.size, image.mode == "L")
                image = ImageOps.exif_transpose(image) or image
                if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                    rgba = image.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, (255, 255, 255))
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                else:
                    flat = image.convert("RGB")
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(too_many_pixels) from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoRefused("is not a readable PNG or JPEG image") from None
    flat.thumbnail((side_px, side_px), Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    return PrintReady(out.getvalue(), *flat.size)


def check_photos(spec: HandoutSpec) -> None:
    """Prepare every photo of the spec's exercises for print, or raise ValidationError naming
    each one that cannot be ("items[0].exercise.photos[1].data")."""
    errors = {}
    for index, item in enumerate(spec.items):
        for number, photo in enumerate(item.exercise.printed_photos):
            try:
                print_photo(photo.data, spec.large_print)
            except PhotoRefused as exc:
                errors[f"items[{index}].exercise.photos[{number}].data"] = str(exc)
    if errors:
        raise ValidationError(errors)
