"""Migration 0014 splits the snapshots handouts stored whole (schema 0013) into their own fields and
shared parts, without changing any PDF or its SHA-256; each still gives back its spec exactly and
renders to its stored PDF byte for byte. Downgrading puts every snapshot back as it was."""

import base64
import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import command

from hepbuilder.db.migrate import alembic_config, upgrade
from hepbuilder.db.models import Handout
from hepbuilder.db.session import get_engine, session_factory
from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from hepbuilder.services import handouts
from hepbuilder.services.library_sync import load_bundled_library
from hepbuilder.services.snapshots import PARTS_READ
from tests.builders import image_bytes
from tests.handout_specs import make_item, make_spec

NOW = dt.datetime(2026, 11, 25, 9, 30)
FILLERS = {sa.String: "", sa.Text: "", sa.Integer: 0, sa.Boolean: False, sa.LargeBinary: b""}


def _insert(connection, table: sa.Table, **values) -> int:
    """Insert a row giving every required column without a default a plain value."""
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        if column.primary_key:
            continue
        if isinstance(column.type, sa.DateTime):
            values[column.name] = NOW
        elif isinstance(column.type, sa.Date):
            values[column.name] = NOW.date()
        else:
            values[column.name] = next(v for t, v in FILLERS.items() if isinstance(column.type, t))
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def old_specs() -> list[dict]:
    """Specs in the snapshot form schema 0013 stored whole: illustrated library exercises, one
    exercise of the tests' own, a logo, the same exercises in several handouts."""
    library = load_bundled_library().exercises
    logo = "data:image/png;base64," + base64.b64encode(image_bytes((240, 80))).decode()
    specs = []
    for number, (patient, slugs) in enumerate(
        [
            ("Zoë Łukasiewicz", ["monster-walk", "step-up", "figure-4-stretch"]),
            ("Zoë Łukasiewicz", ["monster-walk", "step-up"]),
            ("Nguyễn Văn An", ["figure-4-stretch", "monster-walk"]),
        ]
    ):
        spec = make_spec(items=0, patient={"name": patient}, notes=f"Handout {number}")
        spec["clinic"]["logo"] = logo
        spec["items"] = [
            make_item(1, exercise=library[slug].to_dict(), notes=f"note {slug}") for slug in slugs
        ] + [make_item(7)]
        specs.append(parse_spec(spec).to_dict())
    return specs


def issue_on_schema_0013(url: str) -> list[dict]:
    """Handouts written as schema 0013 wrote them (spec_json whole, beside the PDF), and one
    erased; returns each row's id, PDF, SHA-256 and spec_json."""
    upgrade(url, "0013")
    engine = get_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine)
    rows = []
    with engine.begin() as connection:
        clinic_id = _insert(connection, tables.tables["clinic"], slug="harbour", name="Harbour")
        patient_ids = {}
        for number, spec in enumerate([*old_specs(), None], start=1):
            name = spec["patient"]["name"] if spec else "Erased Patient"
            if name not in patient_ids:
                patient_ids[name] = _insert(
                    connection,
                    tables.tables["patient"],
                    clinic_id=clinic_id,
                    first_name=name.split()[0],
                    last_name=name.split()[-1],
                )
            program_id = _insert(
                connection,
                tables.tables["program"],
                clinic_id=clinic_id,
                patient_id=patient_ids[name],
            )
            spec_json = json.dumps(spec, ensure_ascii=False) if spec else "{}"
            pdf = render_handout(parse_spec(spec)) if spec else b""
            sha256 = hashlib.sha256(pdf).hexdigest() if spec else ""
            handout_id = _insert(
                connection,
                tables.tables["handout"],
                clinic_id=clinic_id,
                patient_id=patient_ids[name],
                program_id=program_id,
                number=number,
                spec_json=spec_json,
                pdf=pdf,
                pdf_sha256=sha256,
                issued_on=NOW.date(),
            )
            rows.append({"id": handout_id, "pdf": pdf, "sha256": sha256, "spec_json": spec_json})
    return rows


def test_migration_splits_old_snapshots_and_leaves_every_pdf_as_it_was(empty_database):
    before = issue_on_schema_0013(empty_database)
    upgrade(empty_database)
    PARTS_READ.clear()  # every part from the migrated database
    with session_factory(empty_database)() as session:
        kinds = dict(
            session.execute(sa.text("SELECT kind, COUNT(*) FROM snapshot_part GROUP BY kind")).all()
        )
        assert kinds == {"exercise": 4, "brand": 1, "logo": 1}
        for row in before:
            handout = session.get(Handout, row["id"])
            pdf = session.scalar(sa.select(Handout.pdf).where(Handout.id == row["id"]))
            assert pdf == row["pdf"]
            assert (
                handout.pdf_sha256
                == row["sha256"]
                == (hashlib.sha256(pdf).hexdigest() if pdf else "")
            )
            spec = handouts.handout_spec(handout)
            assert json.dumps(spec, ensure_ascii=False) == row["spec_json"]
            if pdf:
                assert "base64" not in handout.snapshot_json  # the logo is a part now
                assert len(handout.snapshot_json) < len(row["spec_json"]) / 5
                assert render_handout(parse_spec(spec)) == pdf
            else:
                assert handout.snapshot_json == "{}"


def test_migration_downgrade_puts_every_snapshot_back_whole(empty_database):
    before = issue_on_schema_0013(empty_database)
    upgrade(empty_database)
    command.downgrade(alembic_config(empty_database), "0013")
    with get_engine(empty_database).connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, spec_json, pdf, pdf_sha256 FROM handout ORDER BY id")
        ).all()
        assert not sa.inspect(connection).has_table("snapshot_part")
    assert [(r[0], r[1], bytes(r[2]), r[3]) for r in rows] == [
        (b["id"], b["spec_json"], b["pdf"], b["sha256"]) for b in before
    ]
