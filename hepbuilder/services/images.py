"""Uploaded images (logos, exercise photos) checked by content, decoded within bounds of bytes,
pixels and decoding work, re-encoded by Pillow without metadata."""

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.image_bytes import MAX_JPEG_SCANS, too_many_scans
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


@dataclass(frozen=True, slots=True)
class ImageRules:
    """The bounds for one kind of upload: what it is called in messages, its byte and pixel
    limits (pixels read from the header, before anything is decoded), its stored size and form."""

    field: str
    max_bytes: int
    max_pixels: int
    max_side_px: int
    output: str  # "PNG" (transparency kept) or "JPEG"


LOGO = ImageRules("logo", MAX_LOGO_BYTES, MAX_LOGO_PIXELS, LOGO_MAX_SIDE_PX, "PNG")
# Photos are kept as PNG: lossless, so checking an exported photo again on import gives the
# same bytes (export then import round-trips exactly), and the PDF renderer embeds PNG as is.
PHOTO = ImageRules("photo", 6 * 1024 * 1024, 40_000_000, 1000, "PNG")


def normalize_logo(upload_bytes: bytes) -> bytes:
    """An uploaded logo, checked and re-encoded: PNG bytes, at most 600 px on the long side
    (see `normalize_image`)."""
    return normalize_image(upload_bytes, LOGO)


def normalize_photo(upload_bytes: bytes) -> bytes:
    """An uploaded exercise photo, checked and re-encoded: PNG bytes, at most 1,000 px on the
    long side, no metadata (see `normalize_image`). Checking its own output again changes
    nothing."""
    return normalize_image(upload_bytes, PHOTO)


def normalize_image(upload_bytes: bytes, rules: ImageRules) -> bytes:
    """An uploaded image checked and re-encoded by Pillow under `rules`.

    The content decides, not the file name: only PNG, JPEG and WebP open (an SVG, a PDF or a
    script does not). Bounded before any decoding: the byte size, the pixel count from the
    header (a 30,000 x 30,000 image is refused unread), and for JPEG the number of scans,
    counted from the markers (a progressive JPEG with thousands of scans is refused in
    milliseconds instead of decoded for minutes). A truncated file is refused, not padded. The
    EXIF orientation is applied, colours are converted to sRGB, and the result carries no
    metadata at all (no EXIF, GPS, ICC profile or text chunks).
    Raises ValidationError on `rules.field` with a sentence for the admin.
    """
    field = rules.field
    if not upload_bytes:
        raise ValidationError({field: "is empty; choose a PNG, JPEG or WebP image"})
    if len(upload_bytes) > rules.max_bytes:
        raise ValidationError({field: f"must be at most {rules.max_bytes // (1024 * 1024)} MB"})
    megapixels = rules.max_pixels // 1_000_000
    check_decoding_work(upload_bytes, field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload_bytes), formats=LOGO_FORMATS) as image:
                width, height = image.size
                if width * height > rules.max_pixels:
                    raise ValidationError(
                        {
                            field: f"is {width} × {height} pixels; that is too many "
                            f"(at most {megapixels} megapixels)"
                        }
                    )
                if image.format == "JPEG":
                    image.draft("RGB", (rules.max_side_px * 2, rules.max_side_px * 2))
                image.load()
                return _reencode(image, rules)
    except UnidentifiedImageError:
        raise ValidationError(
            {field: "is not a PNG, JPEG or WebP image (the file's content decides, not its name)"}
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            {field: f"has too many pixels (at most {megapixels} megapixels)"}
        ) from None
    except ValidationError:
        raise
    except _DECODE_ERRORS:
        raise ValidationError(
            {field: "could not be read; the file may be damaged, so try exporting it again"}
        ) from None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _reencode(image: Image.Image, rules: ImageRules) -> bytes:
    mode = "RGBA" if _has_alpha(image) and rules.output == "PNG" else "RGB"
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float grey: scale to 8 bits
        image = image.convert("F").point(lambda value: value / 257).convert("L")
    if icc_profile:
        image = _to_srgb(image, icc_profile, mode)
    image = image.convert(mode)
    image.thumbnail((rules.max_side_px, rules.max_side_px), Image.Resampling.LANCZOS)
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # a new image: no metadata
    out = io.BytesIO()
    if rules.output == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    else:
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


def check_decoding_work(data: bytes, field: str = "logo") -> None:
    """Refuse, before decoding, an image whose decoding work is out of proportion to its size
    (`too_many_scans`). Reads only the JPEG's markers; other formats pass (their work is bounded
    by the pixel count). Raises ValidationError on `field`."""
    if too_many_scans(data):
        raise ValidationError(
            {
                field: f"is a JPEG with more than {MAX_JPEG_SCANS} scans, too many scans to "
                "decode safely; save it again as an ordinary (baseline) JPEG or a PNG"
            }
        )
