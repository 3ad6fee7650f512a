"""Patients' private links in the service layer: one per patient, printed on each handout,
renewed on demand, expiring after the clinic's period without a new handout."""

import datetime as dt

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, PatientLink, utcnow
from hepbuilder.domain.errors import NotFound
from hepbuilder.services import patient_links
from hepbuilder.services.actor import Actor
from hepbuilder.services.handouts import handout_spec
from hepbuilder.services.patient_links import LinkSigner
from tests.builders import make_handout, make_patient, seeded_clinic
from tests.qr import needs_qr_tools, scan_first_page

SIGNER = LinkSigner(key=b"service-test-key", base_url="https://hep.example.test")


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_each_patient_gets_one_link_that_every_handout_prints(session):
    clinic = seeded_clinic(session)
    first_patient = make_patient(session, clinic)
    other_patient = make_patient(session, clinic)
    first = make_handout(session, first_patient, links=SIGNER)
    second = make_handout(session, first_patient, links=SIGNER)
    other = make_handout(session, other_patient, links=SIGNER)
    urls = [handout_spec(h)["share_url"] for h in (first, second, other)]
    assert urls[0] == urls[1] != urls[2]
    assert len(session.scalars(select(PatientLink)).all()) == 2


def test_renewing_a_link_changes_its_token_and_the_next_handout_prints_the_new_one(session):
    clinic = seeded_clinic(session)
    patient = make_patient(session, clinic)
    old = handout_spec(make_handout(session, patient, links=SIGNER))["share_url"]
    actor = Actor(clinic_id=clinic.id, user_id=None)
    new = patient_links.renew_link(session, actor, patient.id, SIGNER)
    assert new != old
    with pytest.raises(NotFound):
        patient_links.resolve_token(session, token_of(old), SIGNER)
    assert patient_links.resolve_token(session, token_of(new), SIGNER).patient.id == patient.id
    assert handout_spec(make_handout(session, patient, links=SIGNER))["share_url"] == new
    assert session.scalar(
        select(AuditEvent.action).where(AuditEvent.action == "patient_link.renew")
    )


def test_a_link_expires_after_the_clinics_period_without_a_new_handout(session):
    clinic = seeded_clinic(session, link_expiry_days=30)
    patient = make_patient(session, clinic)
    url = handout_spec(make_handout(session, patient, links=SIGNER))["share_url"]
    actor = Actor(clinic_id=clinic.id)
    state = patient_links.link_state(session, actor, patient.id, SIGNER)
    assert state.url == url and not state.is_expired
    assert state.expires_at - state.active_since == dt.timedelta(days=30)
    link = session.scalar(select(PatientLink))
    link.active_since = utcnow() - dt.timedelta(days=30, seconds=1)
    session.flush()
    assert patient_links.link_state(session, actor, patient.id, SIGNER).is_expired
    with pytest.raises(NotFound):
        patient_links.resolve_token(session, token_of(url), SIGNER)


def test_another_clinic_cannot_renew_or_see_a_patients_link(session):
    clinic = seeded_clinic(session)
    patient = make_patient(session, clinic)
    make_handout(session, patient, links=SIGNER)
    stranger = Actor(clinic_id=seeded_clinic(session).id)
    assert patient_links.link_state(session, stranger, patient.id, SIGNER) is None
    with pytest.raises(NotFound):
        patient_links.renew_link(session, stranger, patient.id, SIGNER)


@needs_qr_tools
def test_the_qr_code_on_an_issued_handout_scans_to_the_patients_link(session, tmp_path):
    from hepbuilder.db.models import Handout

    clinic = seeded_clinic(session)
    patient = make_patient(session, clinic)
    handout = make_handout(session, patient, links=SIGNER)
    pdf = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    state = patient_links.link_state(session, Actor(clinic_id=clinic.id), patient.id, SIGNER)
    assert scan_first_page(pdf, tmp_path) == state.url
