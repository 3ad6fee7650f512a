"""The library at size: 2,000 illustrated exercises (each pose a little different, so every
picture has its own geometry), a therapist with favourites and recent programs, an admin.

Times, at the server (Flask test client, a temporary SQLite database):

- the builder's picker (`GET /programs/<id>/picker`): no query, plurals, synonyms, a typo,
  a condition; budget 50 ms;
- the library list with its thumbnails (`GET /exercises`, `GET /admin/library`) and one
  thumbnail (`GET /exercises/<slug>/figure.svg`) drawn for the first time and again; budget
  100 ms for the list;
- the pose editor's preview redraw (`POST /admin/library/<slug>/pose/preview`), each with a
  new angle, as a slider sends it; budget 30 ms.

Prints median and p95 in milliseconds. Not run by the tests.

    .venv/bin/python bench/library.py [--exercises 2000] [--repeat 40]
"""

import argparse
import copy
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, update  # noqa: E402

from bench.search import fill, seeded_database, signed_in_client, timed  # noqa: E402
from hepbuilder.db.models import Exercise  # noqa: E402
from hepbuilder.services import favourites, patients, programs  # noqa: E402
from hepbuilder.services.actor import Actor  # noqa: E402
from hepbuilder.web.pose_form import camera_controls, frame_controls  # noqa: E402

BUDGETS_MS = {"picker": 50.0, "list": 100.0, "preview": 30.0}


def vary_poses(session, clinic_id: int) -> None:
    """Give every exercise its own camera angle, so no two share cached geometry."""
    rows = session.execute(
        select(Exercise.id, Exercise.illustration).where(Exercise.clinic_id == clinic_id)
    ).all()
    for number, (exercise_id, illustration) in enumerate(rows):
        if not illustration or "frames" not in illustration:
            continue
        pose = copy.deepcopy(illustration)
        camera = pose.setdefault("camera", {})
        camera["yaw_deg"] = round(((number * 7) % 120 - 60) + (number % 10) / 10, 1)
        session.execute(
            update(Exercise).where(Exercise.id == exercise_id).values(illustration=pose)
        )
    session.commit()


def pose_form_data(pose: dict) -> dict:
    data = {"base": __import__("json").dumps(pose), "view": pose.get("view", "side")}
    for control in camera_controls(pose):
        data[control.name] = str(control.value)
    for _label, pelvis, joints in frame_controls(pose):
        for control in pelvis:
            data[control.name] = str(control.value)
        for _joint, controls in joints:
            for control in controls:
                data[control.name] = str(control.value)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(11)

    with tempfile.TemporaryDirectory() as tmp:
        url, session, clinic, user = seeded_database(tmp, "admin")
        started = time.perf_counter()
        fill(session, clinic, args.exercises, 0, rng)
        vary_poses(session, clinic.id)
        actor = Actor(clinic_id=clinic.id, user_id=user.id, role="admin")
        slugs = list(session.scalars(select(Exercise.slug).where(Exercise.clinic_id == clinic.id)))
        for slug in rng.sample(slugs, 15):
            favourites.set_exercise_starred(session, actor, slug, True)
        patient = patients.create_patient(session, actor, {"first_name": "Zoë", "last_name": "Ng"})
        for number in range(5):
            programs.create_program(
                session,
                actor,
                patient.id,
                {
                    "title": f"Visit {number}",
                    "items": [{"exercise": s} for s in rng.sample(slugs, 6)],
                },
            )
        program = programs.create_program(
            session, actor, patient.id, {"items": [{"exercise": s} for s in slugs[:5]]}
        )
        session.commit()
        print(f"filled {len(slugs)} exercises in {time.perf_counter() - started:.1f} s")

        client = signed_in_client(url, user)

        def get(path):
            def fetch():
                response = client.get(path)
                assert response.status_code in (200, 304), (path, response.status_code)

            return fetch

        picker = f"/programs/{program.id}/picker"
        fresh = iter(slugs[100:])

        def first_thumbnail():
            response = client.get(f"/exercises/{next(fresh)}/figure.svg")
            assert response.status_code == 200

        target = next(
            s for s in slugs if s.startswith("step-up")
        )  # standing: any neck angle is valid
        pose = session.scalar(select(Exercise.illustration).where(Exercise.slug == target))
        form = pose_form_data(pose)
        session.commit()  # end that read: SQLite sessions begin IMMEDIATE, and the app must write
        angle = iter(range(10_000))

        def preview():
            data = dict(form)
            data["f0-neck-flex_deg"] = str(-20 + next(angle) % 40)  # a slider moving
            response = client.post(f"/admin/library/{target}/pose/preview", data=data)
            assert response.status_code == 200 and response.get_json()["svg"]

        cases = [
            ("picker", "GET picker (no query: starred and recent first)", get(picker)),
            ("picker", "GET picker?q=glutes (plural, synonym)", get(picker + "?q=glutes")),
            ("picker", "GET picker?q=hip flexors (phrase synonym)", get(picker + "?q=hip+flexors")),
            ("picker", "GET picker?q=piriformus (typo corrected)", get(picker + "?q=piriformus")),
            ("picker", "GET picker?q=low back pain (condition)", get(picker + "?q=low+back+pain")),
            (
                "show-all",  # the explicit "Show all" button: no budget
                "GET picker?q=stretch&all=1 (Show all: 500 results)",
                get(picker + "?q=stretch&all=1"),
            ),
            ("list", "GET /exercises (40 thumbnails)", get("/exercises")),
            ("list", "GET /exercises?q=stretch&page=3", get("/exercises?q=stretch&page=3")),
            ("list", "GET /admin/library (50 rows)", get("/admin/library")),
            ("thumbnail", "GET figure.svg, a pose drawn for the first time", first_thumbnail),
            (
                "thumbnail",
                "GET figure.svg again (geometry cached)",
                get(f"/exercises/{target}/figure.svg"),
            ),
            ("preview", "POST pose/preview, a new angle each time", preview),
        ]
        print(f"\n{'case':58} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'budget':>7}")
        for kind, name, fn in cases:
            median, p95, cpu = timed(fn, args.repeat)
            budget = BUDGETS_MS.get(kind)
            mark = f"{budget:5.0f}" if budget else "    -"
            flag = "" if budget is None or median <= budget else "  OVER"
            print(f"{name:58} {median:10.1f} {p95:8.1f} {cpu:7.1f} {mark:>7}{flag}")
        session.close()


if __name__ == "__main__":
    main()
