"""Patient search at group scale: 1,000,000 patients over 50 clinics on PostgreSQL (not a test).

Fills the PostgreSQL database given by --url (default: the local `hb_scale`, made with
`createdb -h 127.0.0.1 -U postgres hb_scale`) with 50 clinics of 20,000 patients each by COPY,
the search text made by the service's own rule (services.patients.patient_search_text), with the
indexes dropped during the load and built after it. An SQLite URL (`--url sqlite:///scale.db`)
gets the same rows by plain inserts, its indexes (the FTS5 one too, through its triggers) kept
as they go; `--clinics` makes a smaller group (the same 20,000 patients a clinic). A database already holding that many
patients is reused (--refill loads it again). Then it times `services.patients.search_patients`
(what `/patients?q=` calls: the query, the count when the page needs it, the audit rows),
server side, for terms a receptionist types, each in a random clinic, and prints p50/p95: of
the wall-clock time, and of the CPU time (this process's thread and its PostgreSQL backend's,
from Linux's /proc/<pid>/schedstat when the server is local), which other work on a shared
machine changes much less. The terms and clinics are the same on every run (their own seed).

Goal (issue 13): p95 under 20 ms.

    .venv/bin/python bench/search_scale.py [--url URL] [--repeat 200] [--refill] [--clinics 50]
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from hepbuilder.db.migrate import upgrade  # noqa: E402
from hepbuilder.db.models import Clinic, Patient  # noqa: E402
from hepbuilder.db.session import get_engine, session_factory  # noqa: E402
from hepbuilder.services import patients  # noqa: E402
from hepbuilder.services.actor import system_actor  # noqa: E402

CLINICS = 50
PER_CLINIC = 20_000
FIRST = "Zoë María Jan Ana Søren Chloé Mohammed Aiko Łucja Peter Grace José Olivia Noah".split()
FIRST += "Émile Ingrid Tomás Yara Ben Ruth Kwame Priya Dmitri Fatima Liam Mei Oskar Nia".split()
SYLLABLES = "ba ko ri su mel dan vik tor lin has ew ost par gri nu sel mar wen fi zo".split()
SYLLABLES += "kel bru an tes ho lam qui dor ves pin".split()


def postgresql_indexes():
    """The patient table's indexes as the models (and the migrations) make them on PostgreSQL."""
    return [
        index
        for index in Patient.__table__.indexes
        if index.info.get("only_on") in (None, "postgresql")
    ]


def last_name(rng: random.Random) -> str:
    """A made-up surname of 2-3 syllables (about 27,000 of them), capitalised."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3)))).capitalize()


def patient_rows(rng: random.Random, clinic_ids: list[int]):
    """(clinic_id, external, first, last, born, search_text, is_archived) for every patient."""
    serial = 0
    for clinic_id in clinic_ids:
        for _ in range(PER_CLINIC):
            serial += 1
            first, last = rng.choice(FIRST), last_name(rng)
            external = f"PMS-{100000 + serial}"
            born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000))
            search = patients.patient_search_text(first, last, external, born)
            yield clinic_id, external, first, last, born, search, serial % 50 == 0


def fill_sqlite(url: str, rng: random.Random, clinics: int) -> float:
    """Load clinics x PER_CLINIC patients into SQLite; the seconds it took."""
    started = time.perf_counter()
    engine = get_engine(url)
    now = dt.datetime(2026, 12, 1, 9, 0)
    with engine.begin() as connection:
        connection.execute(Patient.__table__.delete())
        connection.execute(Clinic.__table__.delete())
        for number in range(clinics):
            connection.execute(
                Clinic.__table__.insert().values(name=f"Clinic {number}", slug=f"clinic-{number}")
            )
        clinic_ids = list(connection.scalars(select(Clinic.id).order_by(Clinic.id)))
        rows = []
        for clinic_id, external, first, last, born, search, archived in patient_rows(
            rng, clinic_ids
        ):
            rows.append(
                dict(
                    clinic_id=clinic_id,
                    external_id=external,
                    first_name=first,
                    last_name=last,
                    date_of_birth=born,
                    email="",
                    phone="",
                    notes="",
                    search_text=search,
                    is_archived=archived,
                    created_at=now,
                    updated_at=now,
                )
            )
            if len(rows) == PER_CLINIC:
                connection.execute(Patient.__table__.insert(), rows)
                rows = []
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def fill(url: str, rng: random.Random, clinics: int = CLINICS) -> float:
    """Load CLINICS x PER_CLINIC patients by COPY; the seconds it took."""
    if url.startswith("sqlite"):
        return fill_sqlite(url, rng, clinics)
    started = time.perf_counter()
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE patient, clinic RESTART IDENTITY CASCADE"))
        for number in range(clinics):
            connection.execute(
                Clinic.__table__.insert().values(name=f"Clinic {number}", slug=f"clinic-{number}")
            )
        clinic_ids = list(connection.scalars(select(Clinic.id).order_by(Clinic.id)))
        for index in postgresql_indexes():
            connection.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
    raw = engine.raw_connection()
    try:
        now = dt.datetime(2026, 12, 1, 9, 0)
        columns = "clinic_id, external_id, first_name, last_name, date_of_birth, email, phone,"
        columns += " notes, search_text, is_archived, created_at, updated_at"
        with raw.cursor() as cursor, cursor.copy(f"COPY patient ({columns}) FROM STDIN") as copy:
            for clinic_id, external, first, last, born, search, archived in patient_rows(
                rng, clinic_ids
            ):
                copy.write_row(
                    (clinic_id, external, first, last, born, "", "", "", search)
                    + (archived, now, now)
                )
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for index in postgresql_indexes():
            index.create(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE patient"))
    return time.perf_counter() - started


def searches(rng: random.Random, sessions, clinics: int) -> list[tuple[str, str]]:
    """(what, q) pairs: terms that occur in the data, picked from real rows."""
    with sessions() as session:
        sample = session.execute(
            select(
                Patient.first_name, Patient.last_name, Patient.external_id, Patient.date_of_birth
            ).where(Patient.id.in_([rng.randrange(1, clinics * PER_CLINIC) for _ in range(3)]))
        ).all()
    first, last, external, born = sample[0]
    return [
        ("a surname (5 letters)", last[:5].lower()),
        ("a whole surname and first name", f"{sample[1][1]} {sample[1][0]}"),
        ("a common first name", first),
        ("an external id", external.lower()),
        ("a date of birth", born.isoformat()),
        ("two letters (no trigram)", "ma"),
        ("a name that is nowhere", "qqxyzzy"),
    ]


def backend_cpu_ns(pid: int | None) -> int | None:
    """Nanoseconds the PostgreSQL backend `pid` has run on a CPU (Linux schedstat), or None
    when the server is not on this machine; 0 for SQLite (no backend: it runs in this thread)."""
    if pid is None:
        return 0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def timed(
    sessions, q: str, repeat: int, rng: random.Random, clinics: int
) -> tuple[list[float], list[float]]:
    """Server time of each run, and its CPU time (this thread's and its database backend's:
    what the run costs without the waits for a CPU that other work on the machine causes)."""
    times, cpu_times = [], []
    for _ in range(repeat):
        actor = system_actor(rng.randint(1, clinics))
        with sessions() as session:
            backend = None
            if session.get_bind().dialect.name == "postgresql":
                backend = session.scalar(text("SELECT pg_backend_pid()"))
            backend_before = backend_cpu_ns(backend)
            cpu_start, start = time.thread_time_ns(), time.perf_counter()
            patients.search_patients(session, actor, q)
            session.flush()
            times.append((time.perf_counter() - start) * 1000)
            cpu = time.thread_time_ns() - cpu_start
            backend_after = backend_cpu_ns(backend)
            if backend_before is not None and backend_after is not None:
                cpu_times.append((cpu + backend_after - backend_before) / 1e6)
            session.rollback()
    return times, cpu_times


def percentiles(times: list[float]) -> str:
    """The median and 95th percentile of `times` (ms) as "p50 | p95", or dashes for none."""
    if not times:
        return "- | -"
    return f"{statistics.median(times):.1f} ms | {statistics.quantiles(times, n=20)[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hb_scale")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--clinics", type=int, default=CLINICS)
    args = parser.parse_args()
    clinics = args.clinics
    rng = random.Random(13)
    upgrade(args.url)
    sessions = session_factory(args.url)
    with sessions() as session:
        present = session.scalar(select(func.count()).select_from(Patient))
    if args.refill or present != clinics * PER_CLINIC:
        print(f"Loading {clinics * PER_CLINIC:,} patients over {clinics} clinics...")
        print(f"  loaded and indexed in {fill(args.url, rng, clinics):.0f} s")
    else:
        print(f"Reusing {present:,} patients over {clinics} clinics")
    print(f"search_patients, {args.repeat} runs each in random clinics, server time and CPU time:")
    print("| search | q | p50 | p95 | CPU p50 | CPU p95 |\n| --- | --- | --- | --- | --- | --- |")
    rng = random.Random(13)  # the same terms and clinics whether the rows were loaded or reused
    for what, q in searches(rng, sessions, clinics):
        times, cpu_times = timed(sessions, q, args.repeat, rng, clinics)
        print(f"| {what} | `{q}` | {percentiles(times)} | {percentiles(cpu_times)} |")


if __name__ == "__main__":
    main()
