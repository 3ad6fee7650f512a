"""Search and issuing speed with a big clinic: 2,000 exercises and 20,000 patients.

Fills a temporary SQLite database (migrated, seeded with the bundled library, then bulk-filled
through the models with the services' own search-text rules), signs in through the Flask test
client and times, at the server:

- the patient search page (`GET /patients?q=...`) and the patient search service,
- the builder's picker (`GET /programs/<id>/picker?q=...`) and the library search service,
- issuing a 10-exercise handout (snapshot, PDF render, storage, commit).

Prints median and p95 wall time and the median CPU time in milliseconds for each. Not run by
the tests.

    .venv/bin/python bench/search.py [--exercises 2000] [--patients 20000] [--repeat 40]
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from hepbuilder.db.migrate import upgrade  # noqa: E402
from hepbuilder.db.models import Exercise, ExerciseEquipment, Patient  # noqa: E402
from hepbuilder.db.session import session_factory  # noqa: E402
from hepbuilder.services import (  # noqa: E402
    clinics,
    exercises,
    handouts,
    library_sync,
    patients,
    programs,
    users,
)
from hepbuilder.services.actor import Actor, system_actor  # noqa: E402

PASSWORD = "benchmark password 123"
FIRST = [
    "Zoë",
    "María",
    "Jan",
    "Ana",
    "Søren",
    "Chloé",
    "Mohammed",
    "Aiko",
    "Łucja",
    "Peter",
    "Grace",
    "José",
    "Olivia",
    "Noah",
    "Émile",
    "Ingrid",
    "Tomás",
    "Yara",
    "Ben",
    "Ruth",
]
LAST = [
    "Núñez",
    "Łukasiewicz",
    "Smith",
    "García",
    "Müller",
    "O'Brien",
    "Nguyen",
    "Kowalski",
    "Johansson",
    "Dubois",
    "Rossi",
    "Okafor",
    "Tanaka",
    "Brown",
    "Schäfer",
    "Silva",
    "Novak",
    "Andersen",
    "Fernández",
    "Walsh",
    "Papadopoulos",
    "Kim",
    "Haddad",
    "Murphy",
    "Jensen",
]
WORDS = [
    "gentle",
    "deep",
    "banded",
    "single-leg",
    "wall",
    "seated",
    "slow",
    "loaded",
    "reverse",
    "side",
    "kneeling",
    "supported",
    "split",
    "tempo",
    "assisted",
    "lateral",
    "crossover",
]


def timed(fn, repeat: int) -> tuple[float, float, float]:
    """Median and p95 wall time, and the median CPU time of this process (the app, SQLite and
    the test client all run in it; steadier than wall time on a shared machine), in ms."""
    fn()  # warm up caches and the connection
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95, statistics.median(cpu)


def fill(session, clinic, exercise_count: int, patient_count: int, rng: random.Random) -> None:
    base = list(session.scalars(select(Exercise).where(Exercise.clinic_id == clinic.id)))
    rows, equipment = [], []
    for number in range(exercise_count - len(base)):
        model = base[number % len(base)]
        name = f"{rng.choice(WORDS).capitalize()} {model.name.lower()} {number}"
        rows.append(
            {
                "clinic_id": clinic.id,
                "slug": f"{model.slug}-{number}",
                "name": name,
                "summary": model.summary,
                "category": model.category,
                "body_region": model.body_region,
                "position": model.position,
                "steps": model.steps,
                "cues": model.cues,
                "precautions": model.precautions,
                "defaults": model.defaults,
                "illustration": model.illustration,
                "source": model.source,
                "conditions": model.conditions,
                "search_text": exercises.search_text_for(
                    replace(exercises.to_domain(model), name=name),
                    [m.name for m in model.targets],
                ),
            }
        )
    session.execute(insert(Exercise), rows)
    new_ids = session.scalars(
        select(Exercise.id).where(
            Exercise.clinic_id == clinic.id, Exercise.slug.notin_([b.slug for b in base])
        )
    ).all()
    for exercise_id in new_ids:
        equipment.append(
            {
                "exercise_id": exercise_id,
                "equipment": rng.choice(["mat", "resistance-band", "step"]),
            }
        )
    session.execute(insert(ExerciseEquipment), equipment)
    people = []
    for number in range(patient_count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        dob = dt.date(1900 + rng.randint(30, 99), rng.randint(1, 12), rng.randint(1, 28))
        external = f"PMS-{100000 + number}"
        people.append(
            {
                "clinic_id": clinic.id,
                "first_name": first,
                "last_name": last,
                "date_of_birth": dob,
                "external_id": external,
                "email": "",
                "phone": "",
                "notes": "",
                "search_text": patients.patient_search_text(first, last, external, dob),
            }
        )
    if people:
        session.execute(insert(Patient), people)
    session.commit()


def seeded_database(folder: str, role: str):
    """A migrated SQLite database in `folder` with one clinic, the bundled library and one user
    of `role` who signs in with PASSWORD: (url, session, clinic, user)."""
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    session = session_factory(url)()
    clinic = clinics.create_clinic(session, "Bench Clinic")
    library_sync.seed_clinic(session, clinic, library_sync.load_bundled_library())
    user = users.create_user(
        session,
        system_actor(clinic.id),
        {
            "email": "bench@example.net",
            "name": "Bench User",
            "role": role,
            "password": PASSWORD,
            "credentials": "DPT",
        },
    )
    session.commit()
    return url, session, clinic, user


def signed_in_client(url: str, user):
    """A Flask test client of the app on `url`, signed in as `user`."""
    from hepbuilder.web import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "TESTING": True,
            "PUBLIC_URL": "",
        }
    )
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=2000)
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(7)

    with tempfile.TemporaryDirectory() as tmp:
        url, session, clinic, user = seeded_database(tmp, "therapist")
        session.commit()
        started = time.perf_counter()
        fill(session, clinic, args.exercises, args.patients, rng)
        actor = Actor(clinic_id=clinic.id, user_id=user.id)
        patient = patients.create_patient(
            session, actor, {"first_name": "Zoë", "last_name": "Łukasiewicz"}
        )
        slugs = list(
            session.scalars(select(Exercise.slug).where(Exercise.clinic_id == clinic.id).limit(10))
        )
        program = programs.create_program(
            session,
            actor,
            patient.id,
            {"title": "Ten exercises", "items": [{"exercise": s} for s in slugs]},
        )
        session.commit()
        print(
            f"filled {args.exercises} exercises and {args.patients} patients "
            f"in {time.perf_counter() - started:.1f} s ({url})"
        )

        client = signed_in_client(url, user)

        def page(path):
            def fetch():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            return fetch

        def service(call):
            """A service call on the bench's session, its transaction ended at once: SQLite
            sessions begin IMMEDIATE, and the app's requests after it must write."""

            def run():
                try:
                    call()
                finally:
                    session.rollback()

            return run

        cases = [
            ("GET /patients (first page, no query)", page("/patients")),
            ("GET /patients?q=nunez", page("/patients?q=nunez")),
            ("GET /patients?q=zoe lukas", page("/patients?q=zoe+lukas")),
            ("GET /patients?q=pms-1190 (external id)", page("/patients?q=pms-1190")),
            ("GET /patients?q=1948- (date of birth)", page("/patients?q=1948-")),
            ("GET /patients?q=a&page=200 (deep page)", page("/patients?q=a&page=200")),
            ("GET /patients?q=nobody (no match)", page("/patients?q=nobody")),
            (
                "service search_patients('smith')",
                service(lambda: patients.search_patients(session, actor, "smith")),
            ),
            (
                f"GET /programs/{program.id}/picker (no query)",
                page(f"/programs/{program.id}/picker"),
            ),
            ("GET picker?q=stretch", page(f"/programs/{program.id}/picker?q=stretch")),
            ("GET picker?q=glute hip", page(f"/programs/{program.id}/picker?q=glute+hip")),
            (
                "GET picker?q=figure&category=stretch",
                page(f"/programs/{program.id}/picker?q=figure&category=stretch"),
            ),
            ("GET picker?equipment=mat", page(f"/programs/{program.id}/picker?equipment=mat")),
            (
                "service search_exercises('piriformis')",
                service(
                    lambda: exercises.search_exercises(
                        session, actor.clinic_id, q="piriformis", limit=12
                    )
                ),
            ),
        ]
        print(f"\n{'case':58} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
        for name, fn in cases:
            median, p95, cpu = timed(fn, args.repeat)
            print(f"{name:58} {median:10.1f} {p95:8.1f} {cpu:8.1f}")

        def issue():
            handouts.issue_handout(session, actor, program.id)
            session.commit()

        median, p95, cpu = timed(issue, max(5, args.repeat // 4))
        print(
            f"{'issue_handout, 10 exercises (render + store + commit)':58} "
            f"{median:10.1f} {p95:8.1f} {cpu:8.1f}"
        )
        session.close()


if __name__ == "__main__":
    main()
