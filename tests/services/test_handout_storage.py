"""Issued handouts hold each exercise, brand and logo once (snapshot parts, by content hash), and
still give back their whole spec, which renders to the very PDF that was stored."""

import hashlib
import io
import json
import threading
import zipfile

from sqlalchemy import event, func, select

from hepbuilder.db.models import Clinic, Handout, SnapshotPart
from hepbuilder.db.session import session_factory
from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from hepbuilder.services import handouts, patient_records
from hepbuilder.services.actor import Actor
from hepbuilder.services.snapshots import PARTS_READ
from tests.builders import (
    image_bytes,
    issue_program,
    make_patient,
    make_program,
    make_user,
    seeded_clinic,
)

PROTOCOL = "unstable-hips-trendelenburg"


def clinic_with_logo(session, name="Riverside Physio"):
    clinic = seeded_clinic(session, name=name)
    clinic.logo = image_bytes((240, 80))
    session.flush()
    return clinic


def parts_by_kind(session) -> dict[str, int]:
    rows = session.execute(select(SnapshotPart.kind, func.count()).group_by(SnapshotPart.kind))
    return dict(rows.all())


def stored_pdf(session, handout) -> bytes:
    return session.scalar(select(Handout.pdf).where(Handout.id == handout.id))


def test_handouts_of_one_clinic_hold_each_exercise_brand_and_logo_once(session):
    clinic = clinic_with_logo(session)
    handouts_issued = [
        issue_program(
            session, make_program(session, make_patient(session, clinic), protocol=PROTOCOL)
        )
        for _ in range(3)
    ]
    exercises = len(handouts.handout_spec(handouts_issued[0])["items"])
    assert parts_by_kind(session) == {"exercise": exercises, "brand": 1, "logo": 1}
    for handout in handouts_issued:
        own = handout.snapshot_json
        spec = handouts.handout_spec(handout)
        assert spec["patient"]["name"] in own  # the handout's own fields stay in its row
        assert spec["items"][0]["exercise"]["steps"][0] not in own  # exercises do not
        assert "Riverside Physio" not in own and "base64" not in own  # nor the brand or logo


def test_a_handout_renders_from_its_stored_snapshot_to_the_same_pdf_byte_for_byte(session):
    clinic = clinic_with_logo(session)
    handout = issue_program(
        session, make_program(session, make_patient(session, clinic), protocol=PROTOCOL)
    )
    session.commit()
    session.expire_all()
    again = session.get(Handout, handout.id)
    spec = handouts.handout_spec(again)
    assert spec["clinic"]["logo"].startswith("data:image/png;base64,")
    assert isinstance(spec["items"][0]["exercise"], dict)  # inline, as DESIGN.md's snapshot form
    pdf = render_handout(parse_spec(spec))
    assert pdf == stored_pdf(session, again)
    assert hashlib.sha256(pdf).hexdigest() == again.pdf_sha256


def test_a_changed_brand_is_a_new_part_and_earlier_handouts_keep_the_old_one(session):
    clinic = clinic_with_logo(session)
    patient = make_patient(session, clinic)
    first = issue_program(session, make_program(session, patient, protocol=PROTOCOL))
    session.get(Clinic, clinic.id).address = "2 New Road, Galway"
    session.flush()
    second = issue_program(session, make_program(session, patient, protocol=PROTOCOL))
    assert handouts.handout_spec(first)["clinic"]["address"] == ""
    assert handouts.handout_spec(second)["clinic"]["address"] == "2 New Road, Galway"
    assert parts_by_kind(session)["brand"] == 2
    assert parts_by_kind(session)["logo"] == 1  # the same logo under both brands


def test_clinics_with_the_same_library_share_its_exercises(session):
    for name in ("North Physio", "South Physio"):
        clinic = seeded_clinic(session, name=name)
        issue_program(
            session, make_program(session, make_patient(session, clinic), protocol=PROTOCOL)
        )
    kinds = parts_by_kind(session)
    assert kinds["brand"] == 2 and "logo" not in kinds
    assert kinds["exercise"] == 4  # the protocol's four exercises, held once for both clinics


def test_two_clinics_issuing_the_same_exercises_at_once_both_succeed(session, db_url):
    programs = []
    for name in ("North Physio", "South Physio"):
        clinic = seeded_clinic(session, name=name)
        programs.append(make_program(session, make_patient(session, clinic), protocol=PROTOCOL))
    session.commit()
    barrier = threading.Barrier(2)
    errors = []

    def issue(program_id: int, clinic_id: int) -> None:
        with session_factory(db_url)() as own:
            try:
                barrier.wait(timeout=10)
                handouts.issue_handout(own, Actor(clinic_id=clinic_id), program_id)
                own.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=issue, args=(p.id, p.clinic_id)) for p in programs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Handout)) == 2
    assert parts_by_kind(session)["exercise"] == 4


def test_erasing_a_patient_leaves_their_data_in_no_shared_part_and_others_handouts_whole(
    session,
):
    clinic = clinic_with_logo(session)
    admin = make_user(session, clinic, role="admin")
    erased = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    program = make_program(session, erased, protocol=PROTOCOL)
    program.notes = "Zoë's own note about her left hip"
    program.items[0].notes = "Only after the morning walk, Zoë"
    session.flush()
    issue_program(session, program)
    kept = issue_program(
        session, make_program(session, make_patient(session, clinic), protocol=PROTOCOL)
    )
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    patient_records.erase_patient(session, actor, erased.id, "Zoë Łukasiewicz")
    bodies = b"".join(session.scalars(select(SnapshotPart.body)))
    for text in ("Zoë", "Łukasiewicz", "left hip", "morning walk"):
        assert text.encode() not in bodies
        assert text not in json.dumps(
            [h for h in session.scalars(select(Handout.snapshot_json))], ensure_ascii=False
        )
    spec = handouts.handout_spec(session.get(Handout, kept.id))
    assert render_handout(parse_spec(spec)) == stored_pdf(session, kept)


def test_handouts_sharing_parts_read_them_from_the_database_once_per_process(session):
    clinic = clinic_with_logo(session)
    issued = [
        issue_program(
            session, make_program(session, make_patient(session, clinic), protocol=PROTOCOL)
        )
        for _ in range(2)
    ]
    session.commit()
    PARTS_READ.clear()
    assert all(handout.snapshot_json for handout in issued)  # the rows are read before counting
    reads = []

    def count(_conn, _cursor, statement, *_args):
        if "snapshot_part" in statement:
            reads.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        first, second = (handouts.handout_spec(handout) for handout in issued)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(reads) == 2  # the first handout's brand and exercises, then its logo
    assert second["clinic"] == first["clinic"] and second["items"] == first["items"]


def test_a_patients_export_holds_each_handouts_spec_whole(session):
    clinic = clinic_with_logo(session)
    admin = make_user(session, clinic, role="admin")
    patient = make_patient(session, clinic)
    issued = [
        issue_program(session, make_program(session, patient, protocol=PROTOCOL)) for _ in range(2)
    ]
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    _name, data = patient_records.export_patient(session, actor, patient.id)
    exported = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("handouts.json"))
    assert [entry["spec"] for entry in exported] == [handouts.handout_spec(h) for h in issued]
    first = exported[0]["spec"]
    assert first["clinic"]["name"] == "Riverside Physio"
    assert first["clinic"]["logo"].startswith("data:image/png;base64,")
    assert all(item["exercise"]["steps"] for item in first["items"])
    assert "$part" not in json.dumps(exported)
