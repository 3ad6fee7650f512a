"""CPU time per request under load, split by process: the gunicorn workers, PostgreSQL and the client.

Seeds a fresh PostgreSQL database as bench/load.py does (one clinic, --patients patients, 2,000
exercises, a handout), starts `hepbuilder serve` (2 sync workers), signs in, and for the patient
search (`GET /patients?q=nunez`, web) and a handout download (`GET /api/v1/handouts/<id>.pdf`, API)
sends --seconds of requests over --connections connections with wrk. Before and after each run it
reads the user and system CPU time (/proc/<pid>/stat) of the two workers and of the PostgreSQL
backends connected to the bench's database, and wrk's from this process's children; each
divided by the requests answered. CPU time, unlike requests per second, hardly moves with what
else runs on the machine, so two versions of the app can be compared on a busy one.

Linux only (/proc), needs wrk (apt-get install wrk) and a PostgreSQL at 127.0.0.1:5432 with
`createdb` rights. Not run by the tests.

    .venv/bin/python bench/request_cpu.py [--seconds 6] [--connections 8] [--patients 20000]
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (bench/load.py: seeding, the server, sign-in and wrk)
from databases import fresh_postgres, postgres_answers  # noqa: E402
from sqlalchemy import text  # noqa: E402

from hepbuilder.db.session import get_engine  # noqa: E402

DATABASE = "hb_request_cpu"
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def workers_of(server: subprocess.Popen) -> list[int]:
    """The gunicorn workers: the server's children but the outbox delivery loop."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    pids = [int(pid) for pid in found.stdout.split()]
    return [pid for pid in pids if b"outbox" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def backends_of(url: str) -> list[int]:
    """The PostgreSQL backends connected to the bench's database (this query's own left out)."""
    with get_engine(url).connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": DATABASE},
            )
        )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(server, url, port, path, headers, connections, seconds) -> dict:
    """One wrk run of `path`; requests per second and CPU ms per request of each process group."""
    load.run_wrk(port, "GET", path, headers, connections, 1)  # warm up
    load.wait_until_idle(port)
    workers, backends = workers_of(server), backends_of(url)
    before = {pid: cpu_seconds(pid) for pid in workers + backends}
    client_before = children_cpu()
    result = load.run_wrk(port, "GET", path, headers, connections, seconds)
    client = children_cpu() - client_before
    backends = set(backends) | set(backends_of(url))
    count = max(1, result["n"])
    return {
        **result,
        "workers": sum(cpu_seconds(pid) - before[pid] for pid in workers) / count * 1000,
        "postgresql": sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in backends)
        / count
        * 1000,
        "client": client / count * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--patients", type=int, default=20000)
    args = parser.parse_args()
    if not load.WRK:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if not postgres_answers():
        raise SystemExit("No PostgreSQL at 127.0.0.1:5432")
    url = fresh_postgres(DATABASE)
    random.seed(7)
    data = load.seed(url, args.patients, 1)
    with tempfile.TemporaryDirectory() as instance:
        port = load.free_port()
        server = load.start_server(url, port, Path(instance))
        try:
            cookie = load.sign_in(port, data["user_email"])
            cases = [
                ("patient search (web)", "/patients?q=nunez", {"Cookie": cookie}),
                (
                    "download (API)",
                    f"/api/v1/handouts/{data['handout_id']}.pdf",
                    {"Authorization": f"Bearer {data['token']}"},
                ),
            ]
            print(
                f"  {'case':22} {'req/s':>7} {'requests':>8} {'errors':>6}   CPU ms per request: "
                f"{'workers':>7} {'PostgreSQL':>10} {'wrk':>5}"
            )
            for label, path, headers in cases:
                got = measure(server, url, port, path, headers, args.connections, args.seconds)
                print(
                    f"  {label:22} {got['rps']:7.1f} {got['n']:8d} {got['errors']:6d}   "
                    f"{'':20} {got['workers']:7.2f} {got['postgresql']:10.2f} {got['client']:5.2f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
