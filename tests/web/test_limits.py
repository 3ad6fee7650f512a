"""Limits that keep one request from stalling everyone: form size, ids and page numbers, lone
surrogates, request-line length, JPEG scans."""

import io

import pytest
from PIL import Image

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.spec import MAX_ITEMS
from hepbuilder.services.images import MAX_JPEG_SCANS, check_decoding_work, normalize_logo
from tests.builders import make_token, patient_world, see_committed, sign_in

HUGE = "9" * 25


@pytest.fixture
def world(client, session):
    user, patient, program, handout = patient_world(session, role="admin")
    sign_in(client, user)
    return user, patient, program, handout


def items_form(count: int, version: int) -> dict:
    form = {"version": str(version), "action": "save"}
    for index in range(count):
        form[f"items-{index}-exercise"] = "monster-walk"
        form[f"items-{index}-sets"] = "2"
    return form


def test_5000_posted_items_are_refused_before_any_work(client, session, world):
    _user, _patient, program, _handout = world
    response = client.post(f"/programs/{program.id}", data=items_form(5000, program.version))
    assert response.status_code == 413
    assert "too large" in response.text


def test_more_items_than_a_program_holds_are_refused_with_a_sentence(client, session, world):
    _user, _patient, program, _handout = world
    items_before = len(program.items)
    response = client.post(
        f"/programs/{program.id}", data=items_form(MAX_ITEMS + 1, program.version)
    )
    assert response.status_code == 422
    assert f"A program holds at most {MAX_ITEMS} exercises." in response.text
    see_committed(session)
    assert len(program.items) == items_before


@pytest.mark.parametrize(
    "path",
    [
        f"/patients/{HUGE}",
        f"/patients/{HUGE}/edit",
        f"/programs/{HUGE}",
        f"/handouts/{HUGE}",
        f"/handouts/{HUGE}/pdf",
        f"/admin/users/{HUGE}/password",
    ],
)
def test_25_digit_ids_in_addresses_are_not_found(client, world, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [f"/patients?page={HUGE}", f"/admin/audit?before={HUGE}&patient={HUGE}&user={HUGE}"],
)
def test_25_digit_numbers_in_query_strings_do_no_harm(client, world, path):
    assert client.get(path).status_code == 200


def api_headers(session, clinic):
    _token, secret = make_token(session, clinic)
    session.commit()
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def test_api_ids_and_lone_surrogates_are_refused_cleanly(client, session, world):
    user = world[0]
    headers = api_headers(session, user.clinic)
    assert client.get(f"/api/v1/patients/{HUGE}", headers=headers).status_code == 404
    body = '{"first_name": "\\ud800", "last_name": "Nowak"}'
    response = client.post("/api/v1/patients", data=body, headers=headers)
    assert response.status_code == 400
    assert "lone surrogate" in response.get_json()["error"]["message"]


def test_a_too_long_request_line_to_the_api_gets_the_json_error_shape(client, session, world):
    headers = api_headers(session, world[0].clinic)
    response = client.get("/api/v1/patients?external_id=" + "x" * 5000, headers=headers)
    assert response.status_code == 414
    assert response.get_json()["error"]["code"] == "uri_too_long"


def progressive_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "JPEG", progressive=True)
    return out.getvalue()


def with_many_scans(jpeg: bytes, scans: int) -> bytes:
    """The JPEG with its last scan repeated, as a scan bomb does (each scan: one more pass)."""
    start = jpeg.rindex(b"\xff\xda")
    last_scan = jpeg[start:-2]
    return jpeg[:-2] + last_scan * scans + b"\xff\xd9"


def test_a_jpeg_with_thousands_of_scans_is_refused_unread():
    bomb = with_many_scans(progressive_jpeg(), 54_000 // 10)
    with pytest.raises(ValidationError) as refused:
        normalize_logo(bomb)
    assert f"more than {MAX_JPEG_SCANS} scans" in refused.value.fields["logo"]


def test_an_ordinary_progressive_jpeg_passes():
    jpeg = progressive_jpeg()
    check_decoding_work(jpeg)
    assert normalize_logo(jpeg).startswith(b"\x89PNG")
