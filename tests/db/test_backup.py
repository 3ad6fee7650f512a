"""`hepbuilder backup OUT` and `hepbuilder restore IN`: a round trip gives back every table row by
row, a backup taken while a writer holds an open transaction is consistent, and a database that
holds data is never restored over."""

import os
import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from hepbuilder.cli import main
from hepbuilder.db.models import Handout
from hepbuilder.db.session import get_engine, session_factory
from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from hepbuilder.services.handouts import handout_spec
from hepbuilder.services.snapshots import PARTS_READ
from tests.builders import make_patient, patient_world


def _hepbuilder(url: str, *args: str, monkeypatch):
    monkeypatch.setenv("HEPBUILDER_DATABASE_URL", url)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _every_row(url: str) -> dict[str, list[tuple]]:
    """Each table's rows, sorted, as plain tuples (bytes kept as bytes)."""
    engine = get_engine(url)
    tables = {}
    with engine.connect() as connection:
        preparer = engine.dialect.identifier_preparer
        for name in sorted(inspect(connection).get_table_names()):
            rows = connection.execute(text(f"SELECT * FROM {preparer.quote(name)}")).all()
            tables[name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def test_backup_and_restore_give_back_every_table_row_by_row(
    session, db_url, empty_target, tmp_path, monkeypatch
):
    patient_world(session)  # a clinic, its library, a user, a patient, a program, a handout
    session.commit()
    out = tmp_path / "hepbuilder.backup"
    made = _hepbuilder(db_url, "backup", str(out), monkeypatch=monkeypatch)
    assert made.exit_code == 0, made.output
    assert f"Wrote a backup of the database to {out}" in made.output
    restored = _hepbuilder(empty_target, "restore", str(out), monkeypatch=monkeypatch)
    assert restored.exit_code == 0, restored.output
    before, after = _every_row(db_url), _every_row(empty_target)
    assert set(after) == set(before)
    assert before["handout"] and before["exercise"] and before["audit_event"]
    for table in before:
        assert after[table] == before[table], table


def test_a_restored_handout_gives_back_its_spec_and_renders_its_pdf_byte_for_byte(
    session, db_url, empty_target, tmp_path, monkeypatch
):
    _user, _patient, _program, handout = patient_world(session)
    spec = handout_spec(handout)
    out = tmp_path / "hepbuilder.backup"
    assert _hepbuilder(db_url, "backup", str(out), monkeypatch=monkeypatch).exit_code == 0
    assert _hepbuilder(empty_target, "restore", str(out), monkeypatch=monkeypatch).exit_code == 0
    PARTS_READ.clear()  # read the parts from the restored database, not this process's cache
    with session_factory(empty_target)() as restored:
        again = restored.get(Handout, handout.id)
        assert handout_spec(again) == spec  # its exercises, brand and logo came back with it
        pdf = restored.scalar(select(Handout.pdf).where(Handout.id == handout.id))
        assert render_handout(parse_spec(handout_spec(again))) == pdf


def test_backup_while_a_writer_is_busy_holds_only_what_was_committed(
    session, db_url, tmp_path, monkeypatch
):
    if make_url(db_url).get_backend_name() != "sqlite":
        pytest.skip("the SQLite online backup's snapshot; pg_dump's is PostgreSQL's own")
    user, _patient, _program, _handout = patient_world(session)
    make_patient(session, user.clinic, first_name="Uncommitted")
    session.flush()  # this session now holds SQLite's write lock, its row not committed
    out = tmp_path / "busy.backup"
    made = _hepbuilder(db_url, "backup", str(out), monkeypatch=monkeypatch)
    session.rollback()
    assert made.exit_code == 0, made.output
    copy = sqlite3.connect(out)
    names = [row[0] for row in copy.execute("SELECT first_name FROM patient")]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert names == ["Zoë"]


def test_restore_refuses_a_database_that_holds_data(session, db_url, tmp_path, monkeypatch):
    patient_world(session)
    session.commit()
    out = tmp_path / "hepbuilder.backup"
    assert _hepbuilder(db_url, "backup", str(out), monkeypatch=monkeypatch).exit_code == 0
    before = _every_row(db_url)
    refused = _hepbuilder(db_url, "restore", str(out), monkeypatch=monkeypatch)
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.stderr and "Traceback" not in refused.output
    assert _every_row(db_url) == before


def test_restore_of_a_file_that_is_no_backup_is_one_clear_sentence(
    db_url, empty_target, tmp_path, monkeypatch
):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    refused = _hepbuilder(empty_target, "restore", str(junk), monkeypatch=monkeypatch)
    assert refused.exit_code == 1
    assert f"{junk} is not a" in refused.stderr
    missing = _hepbuilder(empty_target, "restore", str(tmp_path / "none"), monkeypatch=monkeypatch)
    assert "There is no backup file" in missing.stderr


def test_backup_on_postgresql_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    url = "postgresql+psycopg://hep@127.0.0.1:1/none"
    refused = _hepbuilder(url, "backup", str(tmp_path / "out"), monkeypatch=monkeypatch)
    assert refused.exit_code == 1
    assert "pg_dump was not found: install PostgreSQL's client tools" in refused.stderr
    assert not os.path.exists(tmp_path / "out")
