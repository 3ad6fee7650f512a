"""Database bytes per issued handout: what history costs as handouts accumulate.

For each database (the local PostgreSQL when it answers at 127.0.0.1:5432, in a database named
hb_storage_bench, and a temporary SQLite file) this migrates a fresh database, seeds one clinic
with the bundled library and a logo, gives --patients patients a program of 10 exercises each
(drawn from the library, so handouts share some exercises and not others) and issues --handouts
handouts round-robin, rendering each for real. Then it prints, per handout: the database bytes
of the `handout` table (row, PDF, indexes) and of the shared parts (`snapshot_part`, where the
schema has it), the PDF's own bytes, what is left over the PDF, the snapshot text, and what each
handout of the second half added (one more handout's cost once the parts are held).

Runs on any schema since 0013 (without `snapshot_part` its part is 0), so the same script
measures a build before and after the change. Not run by the tests.

    .venv/bin/python bench/storage.py [--handouts 200] [--patients 20] [--only sqlite]
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from databases import on_each_database  # noqa: E402  (bench/databases.py)
from sqlalchemy import func, inspect, select, text  # noqa: E402

from hepbuilder.db.migrate import upgrade  # noqa: E402
from hepbuilder.db.models import Clinic, Exercise, Handout  # noqa: E402
from hepbuilder.db.session import get_engine, session_factory  # noqa: E402
from hepbuilder.services import clinics, handouts, library_sync, patients, programs  # noqa: E402
from hepbuilder.services.actor import Actor  # noqa: E402

POSTGRES_DATABASE = "hb_storage_bench"
LOGO = Path(__file__).resolve().parent.parent / "docs" / "illustrations.png"
TABLES = ("handout", "snapshot_part")


def small_logo() -> bytes:
    """A real PNG logo of about 10 KB (a corner of the contact sheet, re-encoded)."""
    import io

    from PIL import Image

    with Image.open(LOGO) as sheet:
        out = io.BytesIO()
        sheet.crop((0, 0, 360, 120)).convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()


def table_bytes(url: str) -> dict[str, int]:
    """Bytes each of TABLES takes in the database (0 for a table the schema does not have)."""
    engine = get_engine(url)
    sizes = {}
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for name in TABLES:
            if name not in present:
                sizes[name] = 0
            elif engine.dialect.name == "postgresql":
                sizes[name] = connection.scalar(text(f"SELECT pg_total_relation_size('{name}')"))
            else:  # every page of the table and of its indexes (dbstat: SQLite's own count)
                sizes[name] = connection.scalar(
                    text(
                        "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = :name "
                        "OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = :name)"
                    ),
                    {"name": name},
                )
    return sizes


def storage_figures(url: str) -> dict[str, float]:
    """Per issued handout: bytes of `handout`, of `snapshot_part`, of the PDF alone."""
    sizes = table_bytes(url)
    engine = get_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Handout)) or 0
        pdf = connection.scalar(select(func.sum(func.length(Handout.pdf)))) or 0
        column = "snapshot_json" if hasattr(Handout, "snapshot_json") else "spec_json"
        snapshot = connection.scalar(text(f"SELECT SUM(LENGTH({column})) FROM handout")) or 0
    if not count:
        return {}
    return {
        "handouts": count,
        "handout_table": sizes["handout"] / count,
        "parts": sizes["snapshot_part"] / count,
        "pdf": pdf / count,
        "snapshot": snapshot / count,
    }


def seed(url: str, patient_count: int) -> tuple[Actor, list[int]]:
    """A migrated database with one clinic (library, logo, contact) and its patients' programs."""
    upgrade(url)
    session = session_factory(url)()
    clinic = clinics.create_clinic(session, "Storage Bench Physio")
    library_sync.seed_clinic(session, clinic, library_sync.load_bundled_library())
    row = session.get(Clinic, clinic.id)
    row.logo, row.address, row.phone = small_logo(), "1 Quay Street, Galway", "091 555 0100"
    actor = Actor(clinic_id=clinic.id)
    slugs = list(session.scalars(select(Exercise.slug).where(Exercise.clinic_id == clinic.id)))
    pick = random.Random(7)
    program_ids = []
    for number in range(patient_count):
        patient = patients.create_patient(
            session, actor, {"first_name": "Zoë", "last_name": f"Łukasiewicz {number}"}
        )
        items = [{"exercise": s, "sets": 2, "notes": "Gently."} for s in pick.sample(slugs, 10)]
        program = programs.create_program(
            session, actor, patient.id, {"title": "Ten exercises", "items": items}
        )
        program_ids.append(program.id)
    session.commit()
    session.close()
    return actor, program_ids


def issue(url: str, actor: Actor, program_ids: list[int], count: int, start: int = 0) -> float:
    """Issue `count` handouts round-robin over the programs; returns the seconds it took."""
    session = session_factory(url)()
    started = time.perf_counter()
    for number in range(start, start + count):
        handouts.issue_handout(session, actor, program_ids[number % len(program_ids)])
        if number % 20 == 19:
            session.commit()
    session.commit()
    session.close()
    return time.perf_counter() - started


def report(name: str, url: str, args) -> None:
    actor, program_ids = seed(url, args.patients)
    half = args.handouts // 2
    seconds = issue(url, actor, program_ids, half)
    at_half = table_bytes(url)
    seconds += issue(url, actor, program_ids, args.handouts - half, start=half)
    figures = storage_figures(url)
    total = figures["handout_table"] + figures["parts"]
    at_end = table_bytes(url)
    marginal = (sum(at_end.values()) - sum(at_half.values())) / (args.handouts - half)
    print(f"\n== {name}: {figures['handouts']} handouts issued in {seconds:.1f} s")
    print(f"  handout table per handout       {figures['handout_table'] / 1024:8.1f} KB")
    print(f"  shared parts per handout        {figures['parts'] / 1024:8.1f} KB")
    print(f"  database bytes per handout      {total / 1024:8.1f} KB")
    print(f"  of it the PDF                   {figures['pdf'] / 1024:8.1f} KB")
    print(f"  over the PDF                    {(total - figures['pdf']) / 1024:8.1f} KB")
    print(f"  snapshot (row text) per handout {figures['snapshot'] / 1024:8.1f} KB")
    print(f"  the second half's handouts, each {marginal / 1024:7.1f} KB (what one more costs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handouts", type=int, default=200)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    on_each_database(lambda label, url: report(label, url, args), POSTGRES_DATABASE, args.only)


if __name__ == "__main__":
    main()
