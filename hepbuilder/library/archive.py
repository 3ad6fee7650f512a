"""A library folder as one zip file (the web's import and export), written and read with care.

`library_to_zip` writes what `write_library` writes (plus any image files), with fixed dates so
one library always gives the same bytes. `unpack_library_zip` refuses, before writing anything:
paths that leave the folder (`../../x`, absolute, drive letters, backslashes), symlinks and
other special files, encrypted members, files the library format does not have, too many
members, and zip bombs (sizes from the central directory, then counted again while extracting,
so a member that lies about its size is stopped at the limit).
"""

import io
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .loader import (
    EXERCISES_DIR,
    IMAGES_DIR,
    MUSCLES_FILE,
    PROTOCOLS_FILE,
    Library,
    LibraryError,
    load_library,
    write_library,
)
from .loader import LibraryProblem as Problem

MAX_ZIP_BYTES = 20 * 1024 * 1024  # the upload itself
MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 8 * 1024 * 1024  # one file, uncompressed
MAX_TOTAL_BYTES = 100 * 1024 * 1024  # all files, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB
_CHUNK_BYTES = 64 * 1024
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
NOT_A_ZIP = (
    "This file is not a zip file. Choose a .zip file exported from hepbuilder's library export."
)


def library_to_zip(library: Library) -> bytes:
    """The library folder (exercises/*.yaml, muscles.yaml, protocols.yaml, images/*) as zip bytes."""
    with tempfile.TemporaryDirectory(prefix="hep-export-") as folder:
        write_library(library, folder)
        files = {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(Path(folder).rglob("*"))
            if path.is_file()
        }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name])
    return out.getvalue()


def _refuse(name: str, message: str) -> LibraryError:
    """A problem with one member of the zip, named by its path."""
    return LibraryError([Problem(name, "", message)])


def _refuse_whole(sentence: str) -> LibraryError:
    """A problem with the upload as a whole (not a zip, too big): one sentence, no file named."""
    return LibraryError([Problem("", "", sentence)])


def _allowed(parts: tuple[str, ...]) -> bool:
    if parts in ((MUSCLES_FILE,), (PROTOCOLS_FILE,)):
        return True
    if len(parts) == 2 and parts[0] == EXERCISES_DIR:
        return parts[1].endswith(".yaml")
    if len(parts) == 2 and parts[0] == IMAGES_DIR:
        return parts[1].lower().endswith(IMAGE_SUFFIXES)
    return False


def _member_parts(info: zipfile.ZipInfo) -> tuple[str, ...] | None:
    """The member's path inside the library, or None for a folder entry; raises LibraryError for
    anything that could land outside the folder or is not a plain file."""
    name = info.filename
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        raise _refuse(name, "has a path that leaves the library folder; nothing was imported")
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".") for part in parts):
        raise _refuse(name, "has a path that leaves the library folder; nothing was imported")
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool wrote no file type
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise _refuse(name, "is a link or a special file, not a plain file; nothing was imported")
    if info.flag_bits & 0x1:
        raise _refuse(name, "is encrypted; export the library again without a password")
    if info.is_dir():
        return None
    return parts


def _strip_common_folder(members: list[tuple[tuple[str, ...], zipfile.ZipInfo]]):
    """Zips made by hand often hold one folder around the library: look inside it."""
    tops = {parts[0] for parts, _ in members}
    if len(tops) == 1 and all(len(parts) > 1 for parts, _ in members):
        top = tops.pop()
        if top not in (EXERCISES_DIR, IMAGES_DIR):
            return [(parts[1:], info) for parts, info in members]
    return members


def _checked_members(archive: zipfile.ZipFile) -> list[tuple[tuple[str, ...], zipfile.ZipInfo]]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refuse_whole(
            f"This zip file holds more than {MAX_MEMBERS:,} files, more than a library has."
        )
    members = []
    total = 0
    for info in infos:
        parts = _member_parts(info)
        if parts is None:
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise _refuse(info.filename, f"is larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise _refuse(info.filename, "is compressed suspiciously well (a zip bomb?)")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse_whole(
                f"This zip file unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB, more than "
                "a library import takes."
            )
        members.append((parts, info))
    members = _strip_common_folder(members)
    seen = set()
    for parts, info in members:
        if not _allowed(parts):
            raise _refuse(
                info.filename,
                "is not part of a library (exercises/<slug>.yaml, muscles.yaml, protocols.yaml, "
                "images/)",
            )
        key = "/".join(parts).lower()
        if key in seen:
            raise _refuse(info.filename, "is in the zip file twice")
        seen.add(key)
    return members


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]):
    """Copy one member, counting bytes as they come: never more than it declared or the budget."""
    written = 0
    with archive.open(info) as source, open(target, "xb") as sink:
        while chunk := source.read(_CHUNK_BYTES):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > info.file_size or written > MAX_MEMBER_BYTES or budget[0] < 0:
                raise _refuse(info.filename, "unpacks to more than it says (a zip bomb?)")
            sink.write(chunk)


def unpack_library_zip(data: bytes, folder: Path | str) -> None:
    """Unpack a library zip into the empty `folder`; raises LibraryError naming the bad member."""
    if len(data) > MAX_ZIP_BYTES:
        raise _refuse_whole(
            f"This zip file is larger than {MAX_ZIP_BYTES // (1024 * 1024)} MB, the most a "
            "library import takes."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse_whole(NOT_A_ZIP) from None
    folder = Path(folder)
    with archive:
        members = _checked_members(archive)
        budget = [MAX_TOTAL_BYTES]
        for parts, info in members:
            target = folder.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _extract(archive, info, target, budget)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                raise _refuse(info.filename, "is damaged and could not be read") from None


def load_library_zip(data: bytes) -> Library:
    """The checked library in a zip, its photos' images included (LibraryError on any problem)."""
    with tempfile.TemporaryDirectory(prefix="hep-import-") as folder:
        unpack_library_zip(data, folder)
        return load_library(folder, cached=False)
