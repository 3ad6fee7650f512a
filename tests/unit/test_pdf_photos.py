"""Exercise photos on the handout: printed in place of the figure at a frame's width, shape kept,
labels under them, inside their card; carried whole by the snapshot; bad photos refused by field."""

import base64
import io
import json
import shutil
import struct
import zlib
from pathlib import Path

import pdfplumber
import pytest

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.limits import SPEC_PHOTO_MAX_BYTES
from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import print_photo, printing_problems, render_handout, render_spec
from hepbuilder.pdf.photos import PHOTO_PRINT_SIDE_PX
from hepbuilder.pdf.styles import FRAME_MM
from tests.handout_specs import data_uri, make_spec, photo_bytes, photo_spec

MM = 72 / 25.4
LIBRARY_DIR = Path(__file__).parents[2] / "exercise_library"


def card_page(pdf: bytes):
    """(page, card box, images) of the first page that shows an image inside a card."""
    document = pdfplumber.open(io.BytesIO(pdf))
    for page in document.pages:
        if page.images:
            boxes = [c for c in page.curves if c["width"] > page.width * 0.6]
            return page, max(boxes, key=lambda c: c["height"]), page.images
    raise AssertionError("no page shows an image")


def curves_in_band(page, box, top: float, bottom: float) -> list:
    return [
        curve
        for curve in page.curves
        if curve is not box and curve["bottom"] > top and curve["top"] < bottom
    ]


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_handout_prints_photos_at_a_frames_width_inside_the_card_with_labels(paper, large_print):
    pdf = render_handout(parse_spec(photo_spec(paper=paper, large_print=large_print)))
    page, box, images = card_page(pdf)
    assert len(images) == 2
    width_pt = FRAME_MM[1 if large_print else 0][0] * MM  # about 60 mm, 1.5 times in large print
    words = page.extract_words()
    for image, label in zip(
        sorted(images, key=lambda i: i["x0"]), ("Start", "Finish"), strict=True
    ):
        assert image["width"] == pytest.approx(width_pt, abs=0.5)
        assert image["height"] == pytest.approx(image["width"] * 0.75, abs=0.5)  # shape kept
        assert box["x0"] < image["x0"] and image["x1"] < box["x1"]
        assert box["top"] < image["top"] and image["bottom"] < box["bottom"]
        (word,) = [  # the label, right under the photo
            w for w in words if w["text"] == label and 0 < w["top"] - image["bottom"] < 12
        ]
        assert (word["x0"] + word["x1"]) / 2 == pytest.approx(
            (image["x0"] + image["x1"]) / 2, abs=2
        )
    # no figure: nothing drawn beside the photos, and no caption about arrows
    assert curves_in_band(page, box, images[0]["top"], images[0]["bottom"]) == []
    assert "Arrow" not in page.extract_text()


def test_handout_draws_the_figure_when_an_exercise_has_no_photos():
    """The other side of the test above: its check for a figure finds one."""
    pdf = render_handout(parse_spec(photo_spec(photos=[])))
    document = pdfplumber.open(io.BytesIO(pdf))
    page = next(p for p in document.pages if "What it is for" in p.extract_text())
    box = max((c for c in page.curves if c["width"] > page.width * 0.6), key=lambda c: c["height"])
    assert not page.images
    assert curves_in_band(page, box, box["top"] + 40, box["top"] + 200)
    assert "Arrow" in page.extract_text()


def test_handout_keeps_a_tall_photo_whole_and_its_shape():
    photos = [{"data": data_uri(photo_bytes(size=(450, 1000))), "label": "Start"}]
    pdf = render_handout(parse_spec(photo_spec(photos=photos, large_print=True)))
    page, box, (image,) = card_page(pdf)
    assert image["height"] / image["width"] == pytest.approx(1000 / 450, rel=0.02)
    assert image["width"] >= 0.65 * FRAME_MM[1][0] * MM
    assert box["top"] < image["top"] and image["bottom"] < box["bottom"] < page.height


def test_handout_puts_four_photos_in_rows_none_split_from_its_card():
    photos = [{"data": data_uri(photo_bytes(shade=n)), "label": ""} for n in range(4)]
    for large_print in (False, True):
        pdf = render_handout(parse_spec(photo_spec(photos=photos, large_print=large_print)))
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            shown = [(page, image) for page in document.pages for image in page.images]
            assert len(shown) == 4
            for page, image in shown:
                box = max(
                    (c for c in page.curves if c["width"] > page.width * 0.6),
                    key=lambda c: c["height"],
                )
                assert box["top"] < image["top"] and image["bottom"] < box["bottom"]


def test_snapshot_carries_the_photos_and_renders_byte_for_byte_again():
    spec = parse_spec(photo_spec())
    pdf = render_handout(spec)
    stored = json.loads(json.dumps(spec.to_dict()))  # as the database keeps it
    photos = stored["items"][0]["exercise"]["photos"]
    assert [photo["label"] for photo in photos] == ["Start", "Finish"]
    assert all(photo["data"].startswith("data:image/") for photo in photos)
    again = parse_spec(stored)
    assert again == spec
    assert render_handout(again) == pdf


def test_print_photo_makes_a_jpeg_sized_for_print_and_keeps_one_that_is():
    ready = print_photo(photo_bytes(size=(1000, 750)))
    assert ready.jpeg[:3] == b"\xff\xd8\xff"
    assert (ready.width_px, ready.height_px) == (PHOTO_PRINT_SIDE_PX[0], 600)
    assert print_photo(ready.jpeg) == ready  # already print-ready: embedded as it is
    large = print_photo(photo_bytes(size=(1000, 750)), large_print=True)
    assert (large.width_px, large.height_px) == (1000, 750)  # no bigger than it was


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


FIELD = "items[0].exercise.photos[0].data"


@pytest.mark.parametrize(
    ("photos", "field", "says"),
    [
        ([{"data": data_uri(b"\xff\xd8\xff" + b"x" * SPEC_PHOTO_MAX_BYTES)}], FIELD, "at most 2 MB"),
        ([{"data": "data:image/png;base64," + base64.b64encode(b"#!/bin/sh").decode()}], FIELD, "not a PNG or JPEG"),
        ([{"data": "data:image/png;base64,@@@"}], FIELD, "not a valid base64"),
        ([{"label": "Start"}], FIELD, "is required"),
        ([{"data": data_uri(photo_bytes()), "label": "x" * 61}], "items[0].exercise.photos[0].label", "at most 60"),
        ([{"data": data_uri(photo_bytes())}] * 5, "items[0].exercise.photos", "at most 4"),
        ([{"data": data_uri(photo_bytes())}, "images/step-up-1.png"], "items[0].exercise.photos[1]", "photo object"),
        ([{"data": data_uri(png_header_only(30_000, 30_000))}], FIELD, "too many pixels"),
        ([{"data": data_uri(photo_bytes(kind="JPEG")[:1500])}], FIELD, "not a readable"),
        ([{"data": data_uri(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)}], FIELD, "not a readable"),
    ],
    ids=["oversized", "script", "bad-base64", "no-data", "long-label", "five", "mixed", "30000x30000", "truncated-jpeg", "not-really-png"],
)  # fmt: skip
def test_render_spec_refuses_a_bad_photo_naming_its_field(photos, field, says):
    with pytest.raises(ValidationError) as error:
        render_spec(photo_spec(photos=photos))
    assert field in error.value.fields
    assert says in error.value.fields[field]


def test_render_spec_reads_photo_files_and_a_librarys_images(tmp_path):
    (tmp_path / "start.jpg").write_bytes(photo_bytes(kind="JPEG"))
    pdf = render_spec(
        photo_spec(photos=[{"data": "start.jpg", "label": "Start"}]), base_dir=tmp_path
    )
    assert len(card_page(pdf)[2]) == 1
    library = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR, library)
    entry = library / "exercises" / "step-up.yaml"
    entry.write_text(
        entry.read_text() + "photos:\n- images/step-up-1.png\n- images/step-up-2.png\n"
    )
    (library / "images").mkdir()
    (library / "images" / "step-up-1.png").write_bytes(photo_bytes(shade=1))
    (library / "images" / "step-up-2.png").write_bytes(photo_bytes(shade=2))
    spec = make_spec(items=0, notes="")
    spec["items"] = [{"exercise": "step-up", "sets": 2, "reps": 10}]
    page, _, images = card_page(render_spec(spec, library_dir=library))
    assert len(images) == 2 and "Start" in page.extract_text() and "Finish" in page.extract_text()


def test_photo_labels_in_any_script_are_printed_or_named_before_issuing():
    photos = [{"data": data_uri(photo_bytes()), "label": "开始"}, {"data": data_uri(photo_bytes()), "label": "नमस्ते"}]  # fmt: skip
    spec = parse_spec(photo_spec(photos=photos))
    assert list(printing_problems(spec)) == ["items[0].exercise.photos[1].label"]
    page, _box, _images = card_page(render_handout(spec))
    assert "开始" in page.extract_text()  # the CJK font is loaded for a label
