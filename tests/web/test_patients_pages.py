"""Patient pages: search and paging, create/edit with errors kept, archive/restore, scoping, PMS link."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from hepbuilder.db.models import AuditEvent, Patient
from tests.builders import make_clinic, make_patient, make_user, see_committed, sign_in
from tests.pages import field_error


def signed_in(client, session):
    clinic = make_clinic(session)
    user = make_user(session, clinic)
    session.commit()
    sign_in(client, user)
    return clinic, user


def test_patient_list_searches_ignoring_accents_and_pages(client, session):
    clinic, _ = signed_in(client, session)
    make_patient(session, clinic, first_name="María", last_name="Núñez", external_id="PMS-7")
    for number in range(30):
        make_patient(session, clinic, first_name="Pat", last_name=f"Smith {number:02}")
    session.commit()
    page = client.get("/patients?q=nunez")
    assert page.status_code == 200
    assert "Núñez, María" in page.text and "Smith" not in page.text
    first = client.get("/patients")
    assert "31 patients" in first.text and "Page 1 of 2" in first.text
    second = client.get("/patients?page=2")
    assert "Smith 29" in second.text and "Núñez" not in second.text


def test_create_patient_keeps_input_and_shows_errors(client, session):
    signed_in(client, session)
    response = client.post(
        "/patients/new", data={"first_name": "Zoë", "last_name": "", "date_of_birth": "not a date"}
    )
    assert response.status_code == 422
    assert 'value="Zoë"' in response.text
    assert field_error(response.text, "last_name") == "Enter the last name."
    assert field_error(response.text, "date_of_birth")
    response = client.post(
        "/patients/new",
        data={
            "first_name": "Zoë",
            "last_name": "Łukasiewicz",
            "date_of_birth": "1950-04-03",
            "external_id": "PMS-1",
        },
    )
    assert response.status_code == 302
    patient = session.scalar(select(Patient))
    assert response.location == f"/patients/{patient.id}"
    page = client.get(response.location)
    assert "Zoë Łukasiewicz" in page.text and "1950-04-03" in page.text


def test_every_problem_of_a_new_patient_is_shown_at_once(client, session):
    # A missing first name and an email address without a domain (the form's checks) and a date
    # of birth in the future (the service's rule) are all named on the first try.
    signed_in(client, session)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = {"first_name": "", "last_name": "Łukasiewicz", "date_of_birth": future}
    response = client.post("/patients/new", data={**data, "email": "margaret@example"})
    assert response.status_code == 422
    assert field_error(response.text, "first_name") == "Enter the first name."
    assert field_error(response.text, "date_of_birth") == "Cannot be in the future."
    assert field_error(response.text, "email") == (
        "That is not an email address: The part after the @-sign is not valid. It should have a "
        "period."
    )
    assert 'value="Łukasiewicz"' in response.text and 'value="margaret@example"' in response.text
    assert session.scalar(select(Patient)) is None


NOTHING_SAVED = "Nothing was saved: please correct the field"


def test_a_refused_patient_form_says_at_the_top_that_nothing_was_saved(client, session):
    # As the exercise and program editors do: a field error may be below the fold on a phone.
    clinic, _ = signed_in(client, session)
    make_patient(session, clinic, external_id="PMS-1")
    session.commit()
    assert NOTHING_SAVED not in client.get("/patients/new").text
    refused = [
        client.post("/patients/new", data={"first_name": "Zoë", "last_name": ""}),  # the form
        client.post(  # the service's rule
            "/patients/new",
            data={"first_name": "Zoë", "last_name": "Ł", "date_of_birth": "2999-01-01"},
        ),
        client.post(  # a conflict
            "/patients/new", data={"first_name": "A", "last_name": "B", "external_id": "PMS-1"}
        ),
    ]
    for response in refused:
        assert response.status_code == 422
        assert NOTHING_SAVED in response.text
        assert response.text.index(NOTHING_SAVED) < response.text.index('name="first_name"')
    assert f"{NOTHING_SAVED} marked below." in refused[0].text  # one field, said as one
    two = client.post("/patients/new", data={"first_name": "", "last_name": ""})
    assert f"{NOTHING_SAVED}s marked below." in two.text
    see_committed(session)
    assert session.scalar(select(func.count()).select_from(Patient)) == 1
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    session.commit()
    edit = client.post(f"/patients/{patient.id}/edit", data={"first_name": "", "last_name": "Ł"})
    assert edit.status_code == 422 and NOTHING_SAVED in edit.text


def test_duplicate_external_id_is_shown_beside_the_field(client, session):
    clinic, _ = signed_in(client, session)
    existing = make_patient(session, clinic, external_id="PMS-1")
    session.commit()
    response = client.post(
        "/patients/new", data={"first_name": "A", "last_name": "B", "external_id": "PMS-1"}
    )
    assert response.status_code == 422
    assert "already has the external id" in field_error(response.text, "external_id")
    assert f'href="/patients/{existing.id}"' in response.text


def test_edit_archive_and_restore_patient(client, session):
    clinic, user = signed_in(client, session)
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    session.commit()
    response = client.post(
        f"/patients/{patient.id}/edit", data={"first_name": "Zoë", "last_name": "Nowak"}
    )
    assert response.status_code == 302
    archived = client.post(f"/patients/{patient.id}/archive", follow_redirects=True)
    assert "was archived" in archived.text
    assert "Nowak" not in client.get("/patients").text
    assert "Nowak" in client.get("/patients?archived=1").text
    assert "Archived" in client.get(f"/patients/{patient.id}").text
    client.post(f"/patients/{patient.id}/restore", follow_redirects=True)
    assert "Nowak" in client.get("/patients").text
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.user_id == user.id).order_by(AuditEvent.id)
    ).all()
    changes = ("patient.update", "patient.archive", "patient.restore")
    assert [a for a in actions if a in changes] == list(changes)


def test_another_clinics_patient_is_not_found(client, session):
    signed_in(client, session)
    other = make_patient(session, make_clinic(session), external_id="X-1")
    session.commit()
    assert client.get(f"/patients/{other.id}").status_code == 404
    assert client.get(f"/patients/{other.id}/edit").status_code == 404
    assert client.post(f"/patients/{other.id}/archive").status_code == 404
    assert client.get("/patients/999999").status_code == 404
    assert client.get("/patients/by-external-id/X-1").status_code == 404


def test_by_external_id_redirects_to_the_patient(client, session):
    clinic, _ = signed_in(client, session)
    patient = make_patient(session, clinic, external_id="PMS/42 b")
    session.commit()
    response = client.get("/patients/by-external-id/PMS/42%20b")
    assert response.status_code == 302 and response.location == f"/patients/{patient.id}"


def test_patient_pages_need_sign_in(client, session):
    assert client.get("/patients").status_code == 302
    assert "/login" in client.get("/patients").location


def test_a_phone_number_without_digits_is_refused_beside_the_field(client, session):
    signed_in(client, session)
    data = {"first_name": "Zoë", "last_name": "Łukasiewicz"}
    for typed in ("abc", "n/a", "555"):
        response = client.post("/patients/new", data={**data, "phone": typed})
        assert response.status_code == 422, typed
        assert field_error(response.text, "phone") == (
            "Enter a phone number using digits, e.g. 091 555 0100."
        )
        assert f'value="{typed}"' in response.text  # kept, to correct
    assert session.scalar(select(Patient)) is None
    number = "+353 (0)91 555-0100 ext. 12"
    assert client.post("/patients/new", data={**data, "phone": number}).status_code == 302
    see_committed(session)
    assert session.scalar(select(Patient.phone)) == number


def test_a_phone_number_pasted_with_non_breaking_spaces_is_saved_with_plain_ones(client, session):
    signed_in(client, session)
    pasted = "+353\u00a091\u202f555\u00a00100"  # as Word or a PMS copies it
    data = {"first_name": "Zoë", "last_name": "Łukasiewicz", "phone": pasted}
    response = client.post("/patients/new", data=data)
    assert response.status_code == 302, field_error(response.text, "phone")
    see_committed(session)
    assert session.scalar(select(Patient.phone)) == "+353 91 555 0100"


@pytest.mark.parametrize(
    ("field", "stored", "fixed", "refusal"),
    [
        ("phone", "ask her daughter", "091 555 0100", "Enter a phone number using digits"),
        ("email", "a..b@example.org", "zoe@example.org", "That is not an email address: "),
    ],
)
def test_a_value_saved_before_it_was_checked_is_still_shown_and_corrected_on_save(
    client, session, field, stored, fixed, refusal
):
    clinic, _ = signed_in(client, session)
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    setattr(patient, field, stored)  # as an older version stored it
    session.commit()
    assert stored in client.get(f"/patients/{patient.id}").text
    edit = client.get(f"/patients/{patient.id}/edit")
    assert edit.status_code == 200 and f'value="{stored}"' in edit.text
    data = {"first_name": "Zoë", "last_name": "Łukasiewicz", field: stored}
    refused = client.post(f"/patients/{patient.id}/edit", data=data)
    assert refused.status_code == 422
    assert field_error(refused.text, field).startswith(refusal)
    saved = client.post(f"/patients/{patient.id}/edit", data={**data, field: fixed})
    assert saved.status_code == 302
    see_committed(session)
    assert getattr(session.get(Patient, patient.id), field) == fixed


# Addresses the old patient rule (a name, "@", a domain with a dot) saved, which a handout can
# never be emailed to: the patient form now refuses them as the handout's "Another address" does.
UNSENDABLE = ("a..b@example.org", "zoe@clinic.local", "zoë@example.org", "zoe@[10.0.0.1]")


def test_a_patient_email_a_handout_could_not_be_sent_to_is_refused_beside_the_field(
    client, session
):
    clinic, _ = signed_in(client, session)
    data = {"first_name": "Zoë", "last_name": "Łukasiewicz"}
    for typed in UNSENDABLE:
        response = client.post("/patients/new", data={**data, "email": typed})
        assert response.status_code == 422, typed
        assert field_error(response.text, "email").startswith("That is not an email address: ")
        assert f'value="{typed}"' in response.text  # kept, to correct
    assert session.scalar(select(Patient)) is None
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    session.commit()
    edit = client.post(f"/patients/{patient.id}/edit", data={**data, "email": "a..b@example.org"})
    assert edit.status_code == 422
    assert field_error(edit.text, "email") == (
        "That is not an email address: An email address cannot have two periods in a row."
    )
    see_committed(session)
    assert session.get(Patient, patient.id).email == ""


def test_a_patient_email_is_saved_as_the_handout_will_be_sent_to_it(client, session):
    from hepbuilder.services.email_addresses import check_address

    signed_in(client, session)
    data = {"first_name": "Zoë", "last_name": "Łukasiewicz", "email": " Zoe@Bücher.DE "}
    assert client.post("/patients/new", data=data).status_code == 302
    see_committed(session)
    saved = session.scalar(select(Patient.email))
    assert saved == "Zoe@xn--bcher-kva.de"  # the domain in lower case and in ASCII
    assert check_address(saved) == saved
