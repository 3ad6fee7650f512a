"""The audit trail at group scale: 10,000,000 events over 50 clinics on PostgreSQL (not a test).

Fills the PostgreSQL database given by --url (default: the local `hb_audit`, created when
missing) with 50 clinics, each with 4 users and 500 patients, and --events audit events (default
10,000,000) spread over two years, newest with the highest id as the app writes them, by one
INSERT ... SELECT from generate_series with the audit table's indexes dropped during the load and
built after it. A database already holding that many events is reused (--refill loads it again).
Then it times what the audit page and its CSV export call (`services.audit.list_audit_events`
and `iter_audit_events`: the query with its joins and the names), server side, each run in a
random clinic, and prints p50/p95.

Goal (issue 13): the audit page and exports "stay fast at 10 million rows" - here, every page
under 20 ms at p95 however deep or narrow, and an export's cost per row not growing with the
trail.

    .venv/bin/python bench/audit.py [--url URL] [--events N] [--repeat 50] [--refill]
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from databases import POSTGRES_SERVER  # noqa: E402  (bench/databases.py)
from sqlalchemy import func, inspect, select, text  # noqa: E402

from hepbuilder.db.migrate import upgrade  # noqa: E402
from hepbuilder.db.models import AuditEvent, Clinic, Patient, User  # noqa: E402
from hepbuilder.db.session import get_engine, session_factory  # noqa: E402
from hepbuilder.services.actor import Actor  # noqa: E402
from hepbuilder.services.audit import AuditFilter, iter_audit_events, list_audit_events  # noqa: E402

CLINICS = 50
USERS = 4  # a clinic's: the first is its admin
PATIENTS = 500
EVENTS = 10_000_000
SPAN = dt.timedelta(days=730)
END = dt.datetime(2026, 12, 1, 9, 0)
# What a clinic's trail is made of, most common first (weights out of 100): reads of patient
# data dominate, admin changes are rare.
ACTIONS = (
    ("patient.view", 30),
    ("patient.list", 25),
    ("handout.download", 15),
    ("program.update", 10),
    ("handout.issue", 8),
    ("sign_in.success", 6),
    ("patient.update", 4),
    ("sign_in.failure", 1),
    ("user.password_change", 1),
)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = get_engine(f"{POSTGRES_SERVER}/postgres")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))


def _action_case() -> str:
    """A CASE choosing ACTIONS by their weights, independently of the clinic (g % CLINICS)."""
    arms, upto = [], 0
    for action, weight in ACTIONS:
        upto += weight
        arms.append(f"WHEN ((g / {CLINICS}) * 7919) % 100 < {upto} THEN '{action}'")
    return "CASE " + " ".join(arms) + " END"


def fill(url: str, events: int) -> float:
    """Clinics, users, patients and `events` audit events; the seconds it took."""
    started = time.perf_counter()
    engine = get_engine(url)
    indexes = [ix["name"] for ix in inspect(engine).get_indexes("audit_event")]
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE clinic RESTART IDENTITY CASCADE"))
        # Through the tables' own insert (their Python-side defaults), in id order per clinic.
        connection.execute(
            Clinic.__table__.insert(),
            [
                {"slug": f"clinic-{c}", "name": f"Clinic {c}", "time_zone": "Europe/London"}
                for c in range(1, CLINICS + 1)
            ],
        )
        connection.execute(
            User.__table__.insert(),
            [
                {
                    "clinic_id": c,
                    "email": f"user{u}@clinic{c}.example",
                    "name": f"User {u}",
                    "role": "admin" if u == 1 else "therapist",
                    "password_hash": "x",
                }
                for c in range(1, CLINICS + 1)
                for u in range(1, USERS + 1)
            ],
        )
        connection.execute(
            Patient.__table__.insert(),
            [
                {
                    "clinic_id": c,
                    "external_id": f"PMS-{c * 1000 + p}",
                    "first_name": "Pat",
                    "last_name": f"Ient{p}",
                    "search_text": f"pat ient{p}",
                }
                for c in range(1, CLINICS + 1)
                for p in range(1, PATIENTS + 1)
            ],
        )
        for name in indexes:
            connection.execute(text(f'DROP INDEX "{name}"'))
        # Event g belongs to clinic g % CLINICS + 1, by one of its users (ids in clinic order),
        # about one of its patients; time runs with g.
        connection.execute(
            text(
                f"INSERT INTO audit_event (clinic_id, user_id, action, patient_id, detail,"
                f" remote_addr, created_at)"
                f" SELECT g % :c + 1, (g % :c) * :u + (g / :c) % :u + 1, {_action_case()},"
                f" (g % :c) * :p + ((g / :c) * 2654435761) % :p + 1, '{{}}', '192.0.2.1',"
                f" :start + (g * :step) * interval '1 microsecond'"
                f" FROM generate_series(1::bigint, :n) g"
            ),
            {
                "c": CLINICS,
                "u": USERS,
                "p": PATIENTS,
                "n": events,
                "start": END - SPAN,
                "step": int(SPAN.total_seconds() * 1_000_000 / events),
            },
        )
    upgrade_indexes(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE audit_event"))
    return time.perf_counter() - started


def upgrade_indexes(url: str) -> None:
    """Build the indexes the models declare that the load dropped (the migrations' own)."""
    engine = get_engine(url)
    present = {ix["name"] for ix in inspect(engine).get_indexes("audit_event")}
    with engine.begin() as connection:
        for index in AuditEvent.__table__.indexes:
            if index.name not in present:
                index.create(connection)


def timed(sessions, repeat: int, rng: random.Random, case) -> list[float]:
    times = []
    for _ in range(repeat):
        clinic = rng.randrange(CLINICS) + 1
        admin = Actor(clinic_id=clinic, user_id=(clinic - 1) * USERS + 1, role="admin")
        with sessions() as session:
            started = time.perf_counter()
            case(session, admin, clinic)
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return times


def cases(events: int):
    """(what, case): each case takes (session, admin actor, clinic id)."""
    per_clinic = events // CLINICS

    def first_page(session, admin, _clinic):
        list_audit_events(session, admin)

    def deep_page(session, admin, clinic):
        # About 80 % back through the clinic's trail, as a keyset page (no OFFSET).
        before = int(events * 0.2) // CLINICS * CLINICS + clinic
        list_audit_events(session, admin, before_id=before)

    def patient(session, admin, clinic):
        list_audit_events(session, admin, AuditFilter(patient_id=(clinic - 1) * PATIENTS + 7))

    def user(session, admin, clinic):
        list_audit_events(session, admin, AuditFilter(user_id=(clinic - 1) * USERS + 3))

    def rare_kind(session, admin, _clinic):
        list_audit_events(session, admin, AuditFilter(kind="user"))

    def absent_kind(session, admin, _clinic):
        list_audit_events(session, admin, AuditFilter(kind="webhook"))  # none in the trail

    def old_day(session, admin, _clinic):
        day = (END - SPAN * 0.9).date()
        list_audit_events(session, admin, AuditFilter(date_from=day, date_to=day))

    def patient_and_old_month(session, admin, clinic):
        start = (END - SPAN * 0.5).date()
        filters = AuditFilter(
            patient_id=(clinic - 1) * PATIENTS + 11,
            date_from=start,
            date_to=start + dt.timedelta(days=30),
        )
        list_audit_events(session, admin, filters)

    def export_a_week(session, admin, _clinic):
        start = (END - SPAN * 0.5).date()
        filters = AuditFilter(date_from=start, date_to=start + dt.timedelta(days=6))
        sum(1 for _ in iter_audit_events(session, admin, filters))

    return [
        ("first page (50 newest)", first_page),
        (f"a keyset page 80 % back (of ~{per_clinic:,} a clinic)", deep_page),
        ("one patient's events", patient),
        ("one user's events", user),
        ("a rare kind (user changes, 1 %)", rare_kind),
        ("a kind with no events (webhooks)", absent_kind),
        ("one day 20 months ago", old_day),
        ("one patient in a month a year ago", patient_and_old_month),
        ("CSV export of a week (~270 rows a clinic a day)", export_a_week),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"{POSTGRES_SERVER}/hb_audit")
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    ensure_database(args.url)
    upgrade(args.url)
    upgrade_indexes(args.url)
    sessions = session_factory(args.url)
    with sessions() as session:
        present = session.scalar(select(func.count()).select_from(AuditEvent))
        clinics = session.scalar(select(func.count()).select_from(Clinic))
        people = session.scalar(select(func.count()).select_from(Patient))
        users = session.scalar(select(func.count()).select_from(User))
    if (
        args.refill
        or present != args.events
        or (clinics, people, users) != (CLINICS, CLINICS * PATIENTS, CLINICS * USERS)
    ):
        print(f"Loading {args.events:,} audit events over {CLINICS} clinics...")
        print(f"  loaded and indexed in {fill(args.url, args.events):.0f} s")
    else:
        print(f"Reusing {present:,} audit events over {CLINICS} clinics")
    rng = random.Random(13)
    print(f"services.audit, {args.repeat} runs each in random clinics, server time:")
    print("| request | p50 | p95 |\n| --- | --- | --- |")
    for what, case in cases(args.events):
        times = timed(sessions, args.repeat, rng, case)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"| {what} | {statistics.median(times):.1f} ms | {p95:.1f} ms |", flush=True)


if __name__ == "__main__":
    main()
