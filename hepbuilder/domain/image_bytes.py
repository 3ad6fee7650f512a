"""Image files read as bytes, without decoding a pixel: which kind a file is (by its content, not
its name) and how much decoding work a JPEG asks for. Standard library only, so the handout spec
parser, the renderer and the upload checks share one rule."""

MAX_JPEG_SCANS = 64  # a progressive JPEG has about 10; thousands make decoding take minutes
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


def image_kind(data: bytes) -> str | None:
    """ "png" or "jpeg" from the file's first bytes, else None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(JPEG_SIGNATURE):
        return "jpeg"
    return None


def count_jpeg_scans(data: bytes) -> int:
    """How many scans (SOS markers) a JPEG holds, by walking its markers: no pixel is decoded.

    Segments with a length are skipped whole; after each SOS the entropy-coded data is skipped to
    the next marker (0xFF followed by a byte other than 0x00 or a restart marker). Each 0xFF is
    found with `bytes.find`, so a photo's megabyte costs milliseconds, not a loop per byte."""
    scans = 0
    position = 2  # after SOI
    end = len(data)
    while position + 4 <= end:
        if data[position] != 0xFF:
            position = data.find(b"\xff", position)
            if position < 0:
                break
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # EOI
            break
        if marker in _STANDALONE:
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
        if marker == 0xDA:  # SOS: skip the entropy-coded data that follows
            scans += 1
            position = _next_marker(data, position)
    return scans


_STANDALONE = frozenset((0x01, *range(0xD0, 0xD8)))  # TEM and the restart markers
_NOT_A_MARKER = frozenset((0x00, *range(0xD0, 0xD8)))  # stuffed 0xFF 0x00, and restarts


def _next_marker(data: bytes, position: int) -> int:
    """Where the marker after entropy-coded data starting at `position` is (`len(data)` if none)."""
    last = len(data) - 1
    while True:
        position = data.find(b"\xff", position, last)
        if position < 0:
            return last
        if data[position + 1] not in _NOT_A_MARKER:
            return position
        position += 1


def too_many_scans(data: bytes) -> bool:
    """True for a JPEG with more than MAX_JPEG_SCANS scans (a 2 MB progressive JPEG can hold
    54,000, each a pass over every pixel): refuse it before decoding."""
    return data.startswith(b"\xff\xd8") and count_jpeg_scans(data) > MAX_JPEG_SCANS
