"""Migration 0022 copies into the handout row what lists show from its snapshot (the therapist's
name and credentials, the share link: what the API's handout JSON took from the snapshot) for
handouts issued on schema 0019, "" where the snapshot has none, leaving every snapshot as it
was. Downgrading drops the columns and nothing else."""

import sqlalchemy as sa
from alembic import command

from hepbuilder.db.migrate import alembic_config, upgrade
from hepbuilder.db.session import get_engine
from hepbuilder.domain.snapshot import part_body, split_spec
from hepbuilder.domain.spec import parse_spec
from tests.db.test_snapshot_migration import _insert
from tests.handout_specs import make_spec

LINK = "https://hep.example.test/p/abc123"


def stored_snapshot(**overrides) -> str:
    """A snapshot as issuing stores it (exercises and the brand as part references)."""
    snapshot, _parts = split_spec(parse_spec(make_spec(**overrides)).to_dict())
    return part_body(snapshot).decode("utf-8")


SNAPSHOTS = {
    "named, with a link": stored_snapshot(share_url=LINK),
    "named, no credentials": stored_snapshot(therapist={"name": "Alex Kim"}),
    "nobody named": stored_snapshot(therapist={}),
    "erased": "{}",
}
EXPECTED = {
    "named, with a link": ("Sam Rivera", "DPT", LINK),
    "named, no credentials": ("Alex Kim", "", ""),
    "nobody named": ("", "", ""),
    "erased": ("", "", ""),
}


def handouts_on_schema_0019(url: str) -> dict[str, int]:
    """One handout row per SNAPSHOTS entry, written as schema 0019 wrote them; their ids."""
    upgrade(url, "0019")
    tables = sa.MetaData()
    tables.reflect(get_engine(url))
    ids = {}
    with get_engine(url).begin() as connection:
        clinic_id = _insert(connection, tables.tables["clinic"], slug="harbour", name="Harbour")
        patient_id = _insert(
            connection, tables.tables["patient"], clinic_id=clinic_id, first_name="Pat"
        )
        program_id = _insert(
            connection, tables.tables["program"], clinic_id=clinic_id, patient_id=patient_id
        )
        for number, (what, snapshot_json) in enumerate(SNAPSHOTS.items(), start=1):
            ids[what] = _insert(
                connection,
                tables.tables["handout"],
                clinic_id=clinic_id,
                patient_id=patient_id,
                program_id=program_id,
                number=number,
                snapshot_json=snapshot_json,
            )
    return ids


def test_migration_copies_the_listed_fields_from_each_snapshot(empty_database):
    ids = handouts_on_schema_0019(empty_database)
    upgrade(empty_database)
    with get_engine(empty_database).connect() as connection:
        rows = {
            row.id: row
            for row in connection.execute(
                sa.text(
                    "SELECT id, snapshot_json, therapist_name, therapist_credentials, share_url "
                    "FROM handout"
                )
            )
        }
    for what, handout_id in ids.items():
        row = rows[handout_id]
        assert (row.therapist_name, row.therapist_credentials, row.share_url) == EXPECTED[what]
        assert row.snapshot_json == SNAPSHOTS[what]  # the snapshot is left as it was


def test_migration_downgrade_drops_the_columns_and_keeps_the_snapshots(empty_database):
    ids = handouts_on_schema_0019(empty_database)
    upgrade(empty_database)
    command.downgrade(alembic_config(empty_database), "0019")
    with get_engine(empty_database).connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns("handout")}
        rows = dict(connection.execute(sa.text("SELECT id, snapshot_json FROM handout")).all())
    assert not {"therapist_name", "therapist_credentials", "share_url"} & columns
    assert rows == {handout_id: SNAPSHOTS[what] for what, handout_id in ids.items()}
