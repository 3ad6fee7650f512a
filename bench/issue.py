"""The CPU one issued handout costs the server (not a test; `make bench` or run it directly).

Seeds a database as bench/load.py does (one clinic, the bundled library and --exercises in all,
--patients patients, a therapist, an API token and the 10-exercise program of `load.seed`, with
--history handouts issued), then issues that program's handout --repeat times through the Flask
test client (`POST /api/v1/programs/<id>/handouts`, the request the load test sends, the private
link printed as a QR code) and prints the median and p10/p90 CPU time of this process per issue
(the app, SQLite and the test client all run in it; PostgreSQL's own backend is not counted),
the wall time, and the SQL statements one issue sends. `--profile N` prints cProfile's N most
expensive functions by cumulative CPU time of this process over the runs.

Goal (issue 13): issue >= 50/s at concurrency 8 with 2 sync workers on 2 cores, i.e. about
15-20 ms of CPU per issue in all.

    .venv/bin/python bench/issue.py [--repeat 60] [--only sqlite] [--profile 40]
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from databases import on_each_database  # noqa: E402  (bench/databases.py)
from load import LINK_KEY, seed  # noqa: E402  (bench/load.py)
from sqlalchemy import event  # noqa: E402

from hepbuilder.db.session import get_engine  # noqa: E402

WARM_UP = 5


def measure(label: str, url: str, args) -> None:
    from hepbuilder.web import create_app

    print(f"\n== {label}")
    data = seed(url, args.patients, args.history)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "LINK_KEY": LINK_KEY,
            "PUBLIC_URL": "http://127.0.0.1",
            "API_RATE_LIMIT": 0,
        }
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {data['token']}"}
    path = f"/api/v1/programs/{data['program_id']}/handouts"

    def issue():
        response = client.post(path, headers=headers)
        assert response.status_code == 201, (response.status_code, response.get_data())

    for _ in range(WARM_UP):
        issue()
    statements = []

    def count(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", count)
    issue()
    event.remove(engine, "before_cursor_execute", count)
    cpu, wall = [], []
    # CPU time, not wall time: a wall-clock profile counts psycopg waiting on PostgreSQL's
    # answers as the app's work (a sixth of a profiled issue on PostgreSQL, 2026-12-03)
    profile = cProfile.Profile(time.process_time) if args.profile else None
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        issue()
        if profile:
            profile.disable()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    q = statistics.quantiles(cpu, n=10)
    print(
        f"issue, 10 exercises: CPU median {statistics.median(cpu):.1f} ms "
        f"(p10 {q[0]:.1f}, p90 {q[-1]:.1f}), wall median {statistics.median(wall):.1f} ms, "
        f"{len(statements)} SQL statements, {args.repeat} runs"
    )
    if args.statements:
        for statement in statements:
            print("   ", " ".join(statement.split())[:160])
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats(args.sort).print_stats(args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--statements", action="store_true", help="print the SQL of one issue")
    args = parser.parse_args()
    on_each_database(lambda label, url: measure(label, url, args), "hb_issue_bench", args.only)


if __name__ == "__main__":
    main()
