"""Pages that list a patient's handouts, as the history grows from 1 handout to 200 (not a test).

Issue 13: "the patient page and the API lists read no snapshot to list handouts and stay within
1.3x as handouts grow from 1 to 200". Fills a temporary SQLite database (or --url) with the
bundled library, one therapist, an API token and two patients with the same 10-exercise program,
one given 1 handout and the other --history (200), issued for real; then times, at the server
through the Flask test client, the patient page (`GET /patients/<id>`) and the API's list of the
patient's handouts (`GET /api/v1/handouts?patient_id=<id>`, its first page), for each patient,
and prints median and p95 wall time, the median CPU time and the ratio of the medians.

    .venv/bin/python bench/history.py [--history 200] [--repeat 40] [--url URL]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import seeded_database, signed_in_client, timed  # noqa: E402  (bench/search.py)
from sqlalchemy import select  # noqa: E402

from hepbuilder.db.models import Exercise  # noqa: E402
from hepbuilder.services import api_tokens, handouts, patients, programs  # noqa: E402
from hepbuilder.services.actor import Actor, system_actor  # noqa: E402


def patient_with_handouts(session, actor, slugs, name: str, count: int) -> int:
    patient = patients.create_patient(session, actor, {"first_name": name, "last_name": "Bench"})
    program = programs.create_program(
        session, actor, patient.id, {"title": "Ten", "items": [{"exercise": s} for s in slugs]}
    )
    for _ in range(count):
        handouts.issue_handout(session, actor, program.id)
    session.commit()
    return patient.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, session, clinic, user = seeded_database(tmp, "therapist")
        actor = Actor(clinic_id=clinic.id, user_id=user.id)
        slugs = list(
            session.scalars(select(Exercise.slug).where(Exercise.clinic_id == clinic.id).limit(10))
        )
        one = patient_with_handouts(session, actor, slugs, "One", 1)
        many = patient_with_handouts(session, actor, slugs, "Many", args.history)
        _row, secret = api_tokens.create_api_token(session, system_actor(clinic.id), "Bench")
        session.commit()
        session.close()
        client = signed_in_client(url, user)
        api = {"Authorization": f"Bearer {secret}"}

        def get(path, headers=None):
            def fetch():
                response = client.get(path, headers=headers or {})
                assert response.status_code == 200, (path, response.status_code)

            return fetch

        print(f"1 handout against {args.history}, {args.repeat} runs each, server time (SQLite):")
        print(
            f"| request | 1 handout | {args.history} handouts | ratio | CPU, 1 / {args.history} |"
        )
        print("| --- | --- | --- | --- | --- |")
        for what, path, headers in [
            ("patient page", "/patients/{}", None),
            ("API handout list", "/api/v1/handouts?patient_id={}", api),
        ]:
            small = timed(get(path.format(one), headers), args.repeat)
            large = timed(get(path.format(many), headers), args.repeat)
            print(
                f"| {what} | {small[0]:.1f} ms (p95 {small[1]:.1f}) | {large[0]:.1f} ms "
                f"(p95 {large[1]:.1f}) | {large[0] / small[0]:.2f}x | "
                f"{small[2]:.1f} / {large[2]:.1f} ms |",
                flush=True,
            )


if __name__ == "__main__":
    main()
