"""Uploaded images checked by content, decoded within bounds, re-encoded by Pillow without metadata."""

import io
import struct
import warnings
import zlib

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.limits import LOGO_MAX_BYTES, LOGO_MAX_PIXELS

MAX_LOGO_BYTES = LOGO_MAX_BYTES
MAX_LOGO_PIXELS = LOGO_MAX_PIXELS  # checked from the image header, before anything is decoded
LOGO_MAX_SIDE_PX = 600
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def normalize_logo(upload_bytes: bytes) -> bytes:
    """An uploaded logo, checked and re-encoded: PNG bytes, at most 600 px on the long side.

    The content decides, not the file name: only PNG, JPEG and WebP open. The byte size and the
    pixel count (from the header, before decoding) are bounded, so decompression bombs are refused
    unread. The EXIF orientation is applied, colours are converted to sRGB, transparency is kept,
    and the result carries no metadata at all (no EXIF, ICC profile or text chunks).
    Raises ValidationError on "logo" with a sentence for the admin.
    """
    if not upload_bytes:
        raise ValidationError({"logo": "is empty; choose a PNG, JPEG or WebP image"})
    if len(upload_bytes) > MAX_LOGO_BYTES:
        raise ValidationError({"logo": f"must be at most {MAX_LOGO_BYTES // (1024 * 1024)} MB"})
    check_decoding_work(upload_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload_bytes), formats=LOGO_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise _too_many_pixels(width, height)
                if image.format == "JPEG":
                    image.draft("RGB", (LOGO_MAX_SIDE_PX * 2, LOGO_MAX_SIDE_PX * 2))
                image.load()
                return _reencode(image)
    except UnidentifiedImageError:
        raise ValidationError(
            {"logo": "is not a PNG, JPEG or WebP image (the file's content decides, not its name)"}
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            {"logo": f"has too many pixels (at most {MAX_LOGO_PIXELS // 1_000_000} megapixels)"}
        ) from None
    except ValidationError:
        raise
    except _DECODE_ERRORS:
        raise ValidationError(
            {"logo": "could not be read; the file may be damaged, so try exporting it again"}
        ) from None


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        {
            "logo": f"is {width} × {height} pixels; that is too many "
            f"(at most {MAX_LOGO_PIXELS // 1_000_000} megapixels)"
        }
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _reencode(image: Image.Image) -> bytes:
    mode = "RGBA" if _has_alpha(image) else "RGB"
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float grey: scale to 8 bits
        image = image.convert("F").point(lambda value: value / 257).convert("L")
    if icc_profile:
        image = _to_srgb(image, icc_profile, mode)
    image = image.convert(mode)
    image.thumbnail((LOGO_MAX_SIDE_PX, LOGO_MAX_SIDE_PX), Image.Resampling.LANCZOS)
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # a new image: no metadata
    out = io.BytesIO()
    clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def _to_srgb(image: Image.Image, icc_profile: bytes, mode: str) -> Image.Image:
    """`image` converted from its embedded colour profile to sRGB (unchanged if that cannot be done)."""
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        srgb = ImageCms.createProfile("sRGB")
        output_mode = mode if image.mode != "CMYK" else "RGB"
        return ImageCms.profileToProfile(image, source, srgb, outputMode=output_mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of an image this module made, read from its header."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size


MAX_JPEG_SCANS = 64  # real progressive JPEGs have about 10; each scan is a pass over the image


def check_decoding_work(data: bytes, field: str = "logo") -> None:
    """Refuse, before decoding, an image whose decoding work is out of proportion to its size:
    a JPEG with more than MAX_JPEG_SCANS scans (a 2 MB progressive JPEG can hold 54,000, each a
    pass over every pixel). Reads only the JPEG's segment headers; other formats pass (their work
    is bounded by the pixel count). Raises ValidationError on `field`."""
    if not data.startswith(b"\xff\xd8"):
        return
    scans, position, end = 0, 2, len(data)
    while position + 4 <= end:
        if data[position] != 0xFF:
            position += 1  # inside entropy-coded data: look for the next marker
            continue
        marker = data[position + 1]
        if marker == 0xFF or marker == 0x00 or 0xD0 <= marker <= 0xD7:
            position += 1 if marker == 0xFF else 2  # fill byte, stuffed FF, restart marker
            continue
        if marker == 0xD9:  # end of image
            return
        if marker == 0xDA:
            scans += 1
            if scans > MAX_JPEG_SCANS:
                raise ValidationError(
                    {
                        field: f"is a JPEG with more than {MAX_JPEG_SCANS} scans; save it again "
                        "as an ordinary (baseline) JPEG or a PNG"
                    }
                )
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + max(length, 2)
