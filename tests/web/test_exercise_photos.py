"""Exercise photos: uploaded by admins, checked by content and bounded in bytes, pixels and
decoding work, re-encoded without metadata, shown in place of the figure, exported and imported."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from hepbuilder.db.models import ExercisePhoto, ExerciseVersion
from hepbuilder.domain.image_bytes import MAX_JPEG_SCANS, count_jpeg_scans
from hepbuilder.services import exercises
from hepbuilder.services.images import normalize_photo
from tests.builders import make_clinic, make_user, see_committed, sign_in


def jpeg(size=(640, 480), **save) -> bytes:
    image = Image.new("RGB", size, (180, 120, 90))
    for x in range(0, size[0], 8):
        image.putpixel((x, x % size[1]), (10, 20, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Ltd"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS
    return jpeg(exif=exif.tobytes())


def progressive_with_scans(count: int) -> bytes:
    """A progressive JPEG whose last scan is repeated until it holds `count` scans."""
    data = jpeg(size=(16, 16), progressive=True)  # small scans: 30,000 fit the upload limit
    last_sos = data.rindex(b"\xff\xda")
    scan = data[last_sos : data.rindex(b"\xff\xd9")]
    extra = count - count_jpeg_scans(data)
    return data[:last_sos] + scan * (extra + 1) + b"\xff\xd9"


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


def upload(client, data: bytes, name: str = "start.png", slug: str = "step-up"):
    return client.post(
        f"/admin/library/{slug}/photos",
        data={"photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_photo_upload_is_stored_without_metadata_and_shown_instead_of_the_figure(
    signed_in, session, clinic
):
    response = upload(signed_in, jpeg_with_gps(), "holiday.jpg")
    assert response.status_code == 302
    row = exercises.get_exercise(session, clinic.id, "step-up")
    assert row.photos == ["images/step-up-1.png"]
    stored = session.scalar(select(ExercisePhoto)).data
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (640, 480)
        assert not image.info.get("exif") and "icc_profile" not in image.info
    assert b"SpyCam" not in stored and b"Exif" not in stored
    page = signed_in.get("/exercises/step-up").get_data(as_text=True)
    assert '<img src="/exercises/step-up/photos/step-up-1.png"' in page and "<svg" not in page
    served = signed_in.get("/exercises/step-up/photos/step-up-1.png")
    assert served.headers["Content-Type"] == "image/png" and served.data == stored
    listing = signed_in.get("/exercises?q=step").get_data(as_text=True)
    assert 'src="/exercises/step-up/photos/step-up-1.png"' in listing
    assert len(session.scalars(select(ExerciseVersion)).all()) == 2  # the change is a version


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"%PDF-1.7\n1 0 obj << >> endobj\n", "photo.png", "is not a PNG, JPEG or WebP image"),
        (b"#!/bin/sh\nrm -rf /\n", "photo.png", "is not a PNG, JPEG or WebP image"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "photo.svg",
            "is not a PNG, JPEG or WebP image",
        ),
        (png_header_only(30_000, 30_000), "huge.png", "has too many pixels"),
        (jpeg()[:1500], "cut.jpg", "could not be read"),
        (progressive_with_scans(20_000), "scans.jpg", "too many scans"),
        (b"", "empty.png", "is empty"),
    ],
    ids=["pdf", "script", "svg", "30000x30000", "truncated-jpeg", "20000-scans", "empty"],
)
def test_photo_upload_refuses_bad_files_and_saves_nothing(
    signed_in, session, clinic, data, name, says
):
    response = upload(signed_in, data, name)
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert session.scalars(select(ExercisePhoto)).all() == []
    assert exercises.get_exercise(session, clinic.id, "step-up").photos == []


def test_jpeg_scans_are_counted_from_markers_not_decoded():
    assert 2 <= count_jpeg_scans(jpeg(progressive=True)) <= 12
    assert count_jpeg_scans(jpeg()) == 1
    assert count_jpeg_scans(progressive_with_scans(30_000)) == 30_000 > MAX_JPEG_SCANS
    # (the upload test sends 20,000: the test client spools bigger bodies to a file it leaks)


def test_photo_check_is_idempotent_so_export_and_import_round_trip():
    once = normalize_photo(jpeg_with_gps())
    assert normalize_photo(once) == once


def test_photo_is_removed_from_the_exercise_but_kept_for_old_versions(signed_in, session, clinic):
    upload(signed_in, jpeg())
    signed_in.post("/admin/library/step-up/photos/remove", data={"path": "images/step-up-1.png"})
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "step-up").photos == []
    assert signed_in.get("/exercises/step-up/photos/step-up-1.png").status_code == 200
    upload(signed_in, jpeg())
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "step-up").photos == [
        "images/step-up-2.png"
    ]  # a path is never given to another photo


def test_photos_travel_in_the_export_and_round_trip_into_an_empty_clinic(
    client, signed_in, session, clinic
):
    upload(signed_in, jpeg_with_gps())
    upload(signed_in, jpeg(size=(300, 500)))
    exported = signed_in.get("/admin/library/export.zip").data
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        names = archive.namelist()
        yaml_text = archive.read("exercises/step-up.yaml").decode()
    assert {"images/step-up-1.png", "images/step-up-2.png"} <= set(names)
    assert "photos:\n  - images/step-up-1.png\n  - images/step-up-2.png\n" in yaml_text
    other = make_clinic(session)
    admin = make_user(session, other, role="admin")
    session.commit()
    other_client = client.application.test_client()
    sign_in(other_client, admin)
    response = other_client.post(
        "/admin/library/import",
        data={"library": (io.BytesIO(exported), "library.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert other_client.get("/admin/library/export.zip").data == exported


def test_import_with_a_photo_that_is_not_an_image_rejects_everything(signed_in, session, clinic):
    upload(signed_in, jpeg())
    exported = signed_in.get("/admin/library/export.zip").data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "images/step-up-1.png":
                data = b"%PDF-1.7 pretending"
            if name == "exercises/pigeon-stretch.yaml":
                data = data.replace(b"name: Pigeon stretch", b"name: Pigeon stretch changed")
            target.writestr(name, data)
    response = signed_in.post(
        "/admin/library/import",
        data={"library": (io.BytesIO(out.getvalue()), "library.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<code>images/step-up-1.png</code>, <code>photos[0]</code>" in html
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "pigeon-stretch").name == "Pigeon stretch"


def test_exercise_page_labels_the_first_photo_start_and_the_last_finish(signed_in):
    for _ in range(3):
        upload(signed_in, jpeg())
    page = signed_in.get("/exercises/step-up").get_data(as_text=True)
    assert re.findall(r"<figcaption>([^<]*)</figcaption>", page) == ["Start", "", "Finish"]
