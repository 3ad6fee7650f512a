"""The API and the web pages share services: what one makes, the other shows and edits."""

import pytest

from tests.api.conftest import PATIENT, make_api_client
from tests.builders import make_patient, make_program, make_user, seeded_clinic, sign_in


@pytest.fixture
def both(app, session):
    """A signed-in therapist's browser and an API token of the same clinic."""
    clinic = seeded_clinic(session)
    user = make_user(session, clinic)
    session.commit()
    browser = app.test_client()
    sign_in(browser, user)
    api = make_api_client(session, app.test_client(), clinic=clinic)
    return browser, api, clinic, user


def _builder_form(program: dict, **changes) -> dict:
    form = {
        "version": str(program["version"]),
        "title": program["title"],
        "notes": program["notes"],
        "review_on": program["review_on"] or "",
        "paper": program["paper"],
    }
    for index, item in enumerate(program["items"]):
        for key, value in item.items():
            form[f"items-{index}-{key}"] = "" if value is None else str(value)
    form.update(changes)
    return form


def test_program_made_by_the_api_is_edited_in_the_web_builder(both):
    browser, api, _, _ = both
    patient = api.post("/api/v1/patients", json=PATIENT).get_json()
    program = api.post(
        "/api/v1/programs",
        json={
            "patient_id": patient["id"],
            "title": "From the PMS",
            "items": [{"exercise": "step-up", "sets": 3}],
        },
    ).get_json()
    page = browser.get(f"/programs/{program['id']}")
    assert page.status_code == 200 and "From the PMS" in page.get_data(as_text=True)
    saved = browser.post(
        f"/programs/{program['id']}", data=_builder_form(program, title="Edited on the web")
    )
    assert saved.status_code == 302
    now = api.get(f"/api/v1/programs/{program['id']}").get_json()
    assert now["title"] == "Edited on the web"
    assert now["version"] > program["version"]
    assert now["items"][0]["exercise"] == "step-up" and now["items"][0]["sets"] == 3
    stale = api.put(
        f"/api/v1/programs/{program['id']}", json={"version": program["version"], "title": "Lost"}
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["current_version"] == now["version"]


def test_program_made_on_the_web_is_read_and_saved_through_the_api(both, session):
    browser, api, clinic, user = both
    patient = make_patient(session, clinic, external_id="W-1")
    program = make_program(
        session, patient, created_by=user, title="Web", items=[{"exercise": "monster-walk"}]
    )
    session.commit()
    read = api.get(f"/api/v1/programs/{program.id}").get_json()
    assert read["title"] == "Web" and [i["exercise"] for i in read["items"]] == ["monster-walk"]
    put = api.put(
        f"/api/v1/programs/{program.id}",
        json={
            "version": read["version"],
            "items": [{"exercise": "step-up", "reps": 12, "side": "each"}],
        },
    )
    assert put.status_code == 200, put.get_json()
    page = browser.get(f"/programs/{program.id}").get_data(as_text=True)
    assert 'name="items-0-exercise" type="hidden" value="step-up"' in page
    assert "items-1-exercise" not in page


def test_pms_link_by_external_id_redirects_to_the_patient_page(both):
    browser, api, _, _ = both
    patient = api.post("/api/v1/patients", json={**PATIENT, "external_id": "MRN 42/7"}).get_json()
    response = browser.get("/patients/by-external-id/MRN 42/7")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/patients/{patient['id']}")
    assert browser.get("/patients/by-external-id/nobody").status_code == 404


def test_pms_links_send_a_signed_out_browser_to_sign_in(client):
    response = client.get("/patients/by-external-id/PMS-1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_api_posts_need_no_csrf_token_when_csrf_is_on(csrf_app, session):
    api = make_api_client(session, csrf_app.test_client())
    assert api.post("/api/v1/patients", json=PATIENT).status_code == 201
