"""The audit trail: every web read of patient data leaves an event; the page shows events in words
in the clinic's time zone, filters, pages and exports them; nothing changes or deletes them."""

import csv
import datetime as dt
import functools
import io

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent
from tests.builders import make_user, patient_world, see_committed, sign_in


@pytest.fixture
def world(client, session):
    user, patient, program, handout = patient_world(session, role="admin")
    sign_in(client, user)
    return user, patient, program, handout


def events_for(session, patient_id):
    return [
        (event.action, event.detail.get("shown"))
        for event in session.scalars(
            select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)
        )
    ]


def test_every_web_read_of_patient_data_is_audited(client, session, world):
    _user, patient, program, handout = world
    reads = [
        (f"/patients?q={patient.last_name}", ("patient.list", None)),
        (f"/patients/{patient.id}", ("patient.view", None)),
        (f"/patients/{patient.id}/edit", ("patient.view", "edit")),
        (f"/programs/{program.id}", ("program.view", None)),
        (f"/programs/{program.id}/preview", ("program.preview", None)),
        (f"/handouts/{handout.id}", ("handout.view", "page")),
        (f"/handouts/{handout.id}/pdf", ("handout.view", None)),
        (f"/handouts/{handout.id}/download", ("handout.download", None)),
        (f"/handouts/{handout.id}/print", ("handout.view", "print")),
    ]
    for path, expected in reads:
        before = len(events_for(session, patient.id))
        assert client.get(path).status_code == 200, path
        see_committed(session)
        assert events_for(session, patient.id)[before:] == [expected], path


def test_the_audit_page_tells_events_in_words_in_the_clinics_time_zone(client, session, world):
    user, patient, _program, handout = world
    client.get(f"/handouts/{handout.id}/download")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "handout.download"))
    session.execute(  # the clock is the edge of the world: pin this event to a known moment
        AuditEvent.__table__.update()
        .where(AuditEvent.id == event.id)
        .values(created_at=dt.datetime(2026, 7, 1, 10, 0, 0))
    )
    session.commit()
    assert (
        client.post("/admin/audit/time-zone", data={"time_zone": "Europe/Berlin"}).status_code
        == 302
    )
    page = client.get("/admin/audit").text
    assert "Sam Rivera downloaded handout 1 of Zoë Łukasiewicz" in page
    assert "2026-07-01 12:00:00" in page and "times in Europe/Berlin" in page
    assert "Sam Rivera set the clinic&#39;s time zone to Europe/Berlin" in page
    refused = client.post("/admin/audit/time-zone", data={"time_zone": "Mars/Olympus"})
    assert "Choose a time zone" in client.get(refused.location).text


def test_the_audit_page_filters_by_patient_user_kind_and_date(client, session, world):
    user, patient, _program, handout = world
    other = make_user(session, user.clinic, name="Theo Other")
    session.commit()
    other_client = client.application.test_client()
    sign_in(other_client, other)
    other_client.get(f"/patients/{patient.id}")
    by_user = client.get(f"/admin/audit?user={other.id}").text
    assert "Theo Other opened the record of Zoë Łukasiewicz" in by_user
    assert "Sam Rivera" not in by_user.split("<tbody>")[1]
    by_kind = client.get("/admin/audit?kind=sign_in").text.split("<tbody>")[1]
    assert "signed in" in by_kind and "opened the record" not in by_kind
    today = dt.date.today()
    assert (
        "opened the record" in client.get(f"/admin/audit?from={today - dt.timedelta(days=1)}").text
    )
    past = client.get("/admin/audit?to=2000-01-01").text
    assert "No events" in past
    assert "Zoë Łukasiewicz" in client.get(f"/admin/audit?patient={patient.id}").text


def test_the_audit_trail_exports_as_csv_with_the_filters(client, session, world):
    _user, patient, _program, handout = world
    client.get(f"/handouts/{handout.id}/download")
    response = client.get(f"/admin/audit.csv?patient={patient.id}&kind=handout")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["event"] for row in rows] == [
        "Sam Rivera downloaded handout 1 of Zoë Łukasiewicz",
        "Sam Rivera issued handout 1 of Zoë Łukasiewicz",
    ]
    assert rows[0]["from"] == "127.0.0.1"


def test_audit_events_cannot_be_changed_or_deleted(session, world):
    event = session.scalar(select(AuditEvent))
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    session.delete(session.scalar(select(AuditEvent)))
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()


def test_no_address_edits_or_deletes_audit_events(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert (
                rule.methods <= {"GET", "HEAD", "OPTIONS"}
                or rule.endpoint == "admin.audit_time_zone"
            )


def test_the_audit_page_pages_by_keyset_with_its_filters(client, session, world):
    user, patient, _program, _handout = world
    for _ in range(60):
        client.get(f"/patients/{patient.id}")
    first = client.get(f"/admin/audit?patient={patient.id}").text
    assert "/admin/audit?before=" in first and f"patient={patient.id}" in first
    assert first.count("opened the record of") == 50


ACTION_CODE = r"^[a-z_]+(\.[a-z_]+)+$"


@functools.cache
def _recorded_actions() -> dict[str, str]:
    """Every action hepbuilder's code can record (record_event / record_events), read from the
    source: a literal, each branch of `a if x else b`, a name assigned in the same function, and
    f"handout.{purpose}" with every purpose a caller passes. -> {action: where}."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hepbuilder"
    actions: dict[str, str] = {}
    purposes: set[str] = set()
    templated: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "record_event" not in text and "purpose" not in text and "_pdf_response" not in text:
            continue  # names no call this looks for
        tree = ast.parse(text)
        # each call seen from the module and from each function around it (a name it passes is
        # looked up among that function's assignments)
        scopes = [n for n in ast.walk(tree) if isinstance(n, ast.Module | ast.FunctionDef)]
        for function in scopes:
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name == "_pdf_response" and len(node.args) > 1:
                    purposes.add(node.args[1].value)
                purposes.update(
                    k.value.value
                    for k in node.keywords
                    if k.arg == "purpose" and isinstance(k.value, ast.Constant)
                )
                if name not in ("record_event", "record_events") or len(node.args) < 3:
                    continue
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                argument = node.args[2]
                if isinstance(argument, ast.Name) and isinstance(function, ast.FunctionDef):
                    argument = next(
                        a.value
                        for a in ast.walk(function)
                        if isinstance(a, ast.Assign)
                        and any(getattr(t, "id", None) == argument.id for t in a.targets)
                    )
                if isinstance(argument, ast.JoinedStr):
                    templated.append((ast.unparse(argument), where))
                    continue
                for constant in ast.walk(argument):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        assert re.match(ACTION_CODE, constant.value), (constant.value, where)
                        actions[constant.value] = where
    for template, where in templated:
        assert template == "f'handout.{purpose}'", (template, where)
        assert purposes, "no caller passes a purpose"
        actions.update({f"handout.{purpose}": where for purpose in purposes})
    return actions


def test_every_action_the_code_records_has_words_on_the_audit_page():
    """The audit page and its CSV tell each event as a sentence: no action is left as its code
    ("Patient (private link): patient_link.open")."""
    from hepbuilder.services.audit_words import PHRASES

    actions = _recorded_actions()
    assert {"patient_link.open", "handout.download", "exercise.archive", "protocol.restore"} <= set(
        actions
    )
    missing = {action: where for action, where in actions.items() if action not in PHRASES}
    assert not missing, f"actions without words in services/audit_words.py: {missing}"


def test_every_action_the_code_records_has_a_kind_the_audit_page_filters_by():
    """Each recorded action's kind (its first part) is in the page's "Kind" list, so no event
    shows only under "Everything" (private-link, exercise, protocol and library ones did)."""
    from hepbuilder.services.audit import KINDS

    unfiltered = {a: w for a, w in _recorded_actions().items() if a.split(".")[0] not in KINDS}
    assert not unfiltered, f"actions of no kind in services/audit.py KINDS: {unfiltered}"


def test_a_patients_private_link_use_reads_as_a_sentence_with_an_unbroken_address(
    client, session, world
):
    from hepbuilder.services.patient_links import LinkSigner
    from tests.builders import make_handout

    _user, patient, _program, _handout = world
    signer = LinkSigner(key=b"audit-link-key", base_url="https://hep.example.test")
    client.application.config["LINK_KEY"] = "audit-link-key"
    handout = make_handout(session, patient, links=signer)
    session.commit()
    path = handout.share_url.removeprefix("https://hep.example.test")
    client.get(path, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.get(
        path + f"/handouts/{handout.number}.pdf", environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )

    page = client.get("/admin/audit").text
    opened = "Patient (private link) opened the private link of Zoë Łukasiewicz (showing handout 2)"
    downloaded = (
        "Patient (private link) downloaded handout 2 of Zoë Łukasiewicz through the private link"
    )
    assert opened in page and downloaded in page
    assert "Patient (private link): patient_link" not in page
    assert '<td data-label="From" class="nowrap">203.0.113.9</td>' in page
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").text)))
    assert any(opened in row for row in rows) and any(downloaded in row for row in rows)
    by_kind = client.get("/admin/audit?kind=patient_link").text
    assert '<option value="patient_link" selected>Private links</option>' in by_kind
    assert opened in by_kind and downloaded in by_kind
    assert "opened the record" not in by_kind.split("<tbody>")[1]
