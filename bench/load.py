"""Throughput under load: gunicorn with 2 workers, driven by wrk (or a bounded Python client).

For each database (the local PostgreSQL when it answers at 127.0.0.1:5432, and SQLite) this
migrates a fresh database, seeds one clinic (the bundled library, a therapist, an API token,
--patients patients and 2,000 exercises, a 10-exercise program and a patient with --history handouts), starts
`hepbuilder serve` (gunicorn, 2 sync workers) on a free local port and, for each case, sends
requests over 1, 8 and 32 connections for --seconds each. Prints requests per second, p50/p95/p99
in milliseconds and the errors (a failed connection, a timeout or an answer of 400 or more), the
CPU time a request cost the server's processes (gunicorn's master, workers and delivery loop) and
PostgreSQL's backends serving them (a figure a busy machine blurs less than the rates), and the
database bytes one issued handout costs.

The load comes from `wrk` (https://github.com/wg/wrk; Debian/Ubuntu: `apt-get install wrk`,
macOS: `brew install wrk`) when it is on the PATH: a C program on epoll that takes a small share
of the cores the server and the database share with it. The request (method, headers) and the
summary (latency:percentile, error counts as JSON) come from a Lua script written next to the
run (WRK_SCRIPT). Without wrk, or with --client python, the Python client here sends them from
up to 32 threads in this process, which itself takes a large share of 2 cores, so its figures are
lower. The first line of each database's table says which client was used.

Cases: download a handout PDF (API), issue a handout (API), patient search (web), the builder
page (web), the page of a patient with --history handouts (web), and the patient's private link
(`/p/<token>`, where the app has private links).

Every request goes to 127.0.0.1 only; every loop is bounded by a deadline and a request count.
Not run by the tests. PostgreSQL needs `createdb` rights (it uses a database named hb_bench,
or --pg-database; dropped and made afresh).

    .venv/bin/python bench/load.py [--seconds 4] [--patients 20000] [--history 200] [--only sqlite]
        [--client wrk|python] [--case issue]... [--pg-database hb_bench]
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from databases import on_each_database  # noqa: E402  (bench/databases.py)
from sqlalchemy import func, select  # noqa: E402

from hepbuilder.db.migrate import upgrade  # noqa: E402
from hepbuilder.db.models import Exercise, Handout  # noqa: E402
from hepbuilder.db.session import get_engine, session_factory  # noqa: E402
from hepbuilder.services import (  # noqa: E402
    api_tokens,
    clinics,
    handouts,
    library_sync,
    patients,
    programs,
    users,
)
from hepbuilder.services.actor import Actor, system_actor  # noqa: E402
from hepbuilder.services.patient_links import LinkSigner  # noqa: E402

PASSWORD = "benchmark password 123"
LINK_KEY = "bench-link-key"  # seed and server derive the same private links from it
CONCURRENCY = (1, 8, 32)
MAX_REQUESTS_PER_RUN = 20_000
WRK = shutil.which("wrk")


def seed(url: str, patient_count: int, history: int) -> dict:
    """Fill the database; returns what the cases need (ids, token, patient link)."""
    import search  # bench/search.py: the same bulk filler

    upgrade(url)
    session = session_factory(url)()
    clinic = clinics.create_clinic(session, "Bench Clinic")
    library_sync.seed_clinic(session, clinic, library_sync.load_bundled_library())
    admin = system_actor(clinic.id)
    user = users.create_user(
        session,
        admin,
        {
            "email": "bench@example.net",
            "name": "Bench Therapist",
            "role": "therapist",
            "password": PASSWORD,
        },
    )
    _row, secret = api_tokens.create_api_token(session, admin, "Bench PMS")
    search.fill(session, clinic, 2000, patient_count, random.Random(7))  # a big clinic library
    actor = Actor(clinic_id=clinic.id, user_id=user.id)
    patient = patients.create_patient(
        session, actor, {"first_name": "Zoë", "last_name": "Łukasiewicz", "external_id": "B-1"}
    )
    slugs = list(
        session.scalars(select(Exercise.slug).where(Exercise.clinic_id == clinic.id).limit(10))
    )
    program = programs.create_program(
        session,
        actor,
        patient.id,
        {"title": "Ten exercises", "items": [{"exercise": s, "sets": 2} for s in slugs]},
    )
    session.commit()
    started = time.perf_counter()
    # Issued as the app issues them, with the patient's private link (the server derives the
    # same tokens from the same key).
    links = LinkSigner(key=LINK_KEY.encode(), base_url="http://127.0.0.1")
    for _ in range(history):
        handouts.issue_handout(session, actor, program.id, links=links)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # What autovacuum does within a minute or two of a bulk load, so the runs measure a
        # database as it lives: the planner's statistics (without them it guesses 1 row a match
        # and picks slower plans), the trigram index's pending entries merged into it (a count
        # of 758 matches: 3 ms before, 0.7 ms after) and the visibility map set.
        with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    count = session.scalar(select(func.count()).select_from(Handout))
    print(
        f"  seeded {patient_count} patients and {history} handouts "
        f"({time.perf_counter() - started:.1f} s for the handouts)"
    )
    handout_id = session.scalar(select(func.max(Handout.id)))
    session.close()
    return {
        "user_email": user.email,
        "token": secret,
        "patient_id": patient.id,
        "program_id": program.id,
        "handout_id": handout_id,
        "handouts": count,
    }


def bytes_per_handout(url: str) -> float | None:
    """The database bytes handouts take (their table and the snapshot parts they share),
    divided by their number."""
    from storage import table_bytes  # bench/storage.py: the same count of a table's bytes

    engine = get_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Handout)) or 0
    if not count:
        return None
    try:
        return sum(table_bytes(url).values()) / count
    except Exception:  # dbstat is not compiled into every SQLite
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, instance: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "HEPBUILDER_DATABASE_URL": url,
        "HEPBUILDER_SECRET_KEY": "bench-secret",
        "HEPBUILDER_LINK_KEY": LINK_KEY,
        "HEPBUILDER_INSTANCE_DIR": str(instance),
        "HEPBUILDER_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HEPBUILDER_API_RATE_LIMIT": "0",  # measure the server, not the per-token limit
    }
    # From the checkout this script is in, so `-m hepbuilder` is this checkout's code whatever
    # the current directory; what the server prints goes to a file, shown if it does not start.
    log = instance / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hepbuilder",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    code = server.poll()
    server.kill()
    why = f"exited with code {code}" if code is not None else "did not answer within 30 s"
    printed = log.read_text(errors="replace")[-2000:]
    raise SystemExit(f"the server {why}; it printed:\n{printed}")


def sign_in(port: int, email: str) -> str:
    """A signed-in session cookie, got the way a browser gets one (form token included)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    body = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    )
    connection.request(
        "POST",
        "/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in failed: {response.status}")
    return response.getheader("Set-Cookie", cookie).split(";")[0]


WRK_SCRIPT = """\
-- bench/load.py: one request, sent again and again; the summary as one JSON line.
wrk.method = {method}
wrk.headers = {{ {headers} }}
wrk.body = {body}

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {{"requests": %d, "duration_us": %d, "p50": %.1f, "p95": %.1f, "p99": %.1f, '
      .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(text: str) -> str:
    """`text` as a Lua string literal: printable ASCII as it is, every other byte as \\ddd."""
    return (
        '"'
        + "".join(
            chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in text.encode()
        )
        + '"'
    )


def wrk_script(method: str, headers: dict, body: str = "") -> str:
    """The Lua script that makes wrk send `method` with `headers` (and `body`, when there is
    one) and print its summary."""
    pairs = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    return WRK_SCRIPT.format(
        method=_lua_string(method), headers=pairs, body=_lua_string(body) if body else "nil"
    )


def run_wrk(
    port: int, method: str, path: str, headers: dict, connections: int, seconds: float
) -> dict:
    """wrk over `connections` connections (from at most 2 threads) for `seconds`, rounded up to
    whole seconds: requests per second, p50/p95/p99 in ms and the errors (failed connections,
    reads, writes, timeouts and answers of 400 or more; wrk counts each)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(wrk_script(method, headers))
        script.flush()
        command = [
            WRK,
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={max(1, math.ceil(seconds))}s",
            "--timeout=30s",
            f"--script={script.name}",
            f"http://127.0.0.1:{port}{path}",
        ]
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^WRK_RESULT (.+)$", output.stdout, re.MULTILINE)
    if output.returncode != 0 or not found:
        raise SystemExit(f"wrk failed ({output.returncode}): {output.stderr or output.stdout}")
    result = json.loads(found.group(1))
    errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50": result["p50"] / 1000,
        "p95": result["p95"] / 1000,
        "p99": result["p99"] / 1000,
        "n": result["requests"],
        "errors": errors,
    }


def run(port: int, method: str, path: str, headers: dict, threads: int, seconds: float) -> dict:
    """Send requests from `threads` threads until the deadline; latencies in ms and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < deadline and len(mine) < MAX_REQUESTS_PER_RUN // threads:
            start = time.perf_counter()
            try:
                connection.request(method, path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "n": len(latencies),
        "errors": errors[0],
    }


def wait_until_idle(port: int) -> None:
    """Return once the server has answered everything sent before: a run that ends with requests
    still queued in the listen backlog (32 issues take a second or more to work through) would
    otherwise slow the first requests of the next run. One request queues behind them all."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/login")
    connection.getresponse().read()
    connection.close()


def cpu_seconds(pids) -> float:
    """The CPU time (user and system) the processes `pids` have used, from /proc (Linux)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(root: int) -> list[int]:
    """`root` and every process below it (gunicorn's master, its workers, the delivery loop)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def backend_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving `url`'s database (the app's pooled connections), but
    this one; none for SQLite (it runs inside the workers)."""
    if not url.startswith("postgresql"):
        return []
    from sqlalchemy import text

    with get_engine(url).connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            )
        )


def private_link(port: int, cookie: str, patient_id: int) -> str | None:
    """The patient's `/p/<token>` path as their page shows it, where the app has private links."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/patients/{patient_id}", headers={"Cookie": cookie})
    page = connection.getresponse().read().decode()
    found = re.search(r"/p/[A-Za-z0-9_\-]{16,}", page)
    return found.group(0) if found else None


def bench_database(name: str, url: str, args) -> None:
    print(f"\n== {name}")
    data = seed(url, args.patients, args.history)
    per_handout = bytes_per_handout(url)
    with tempfile.TemporaryDirectory() as instance:
        port = free_port()
        server = start_server(url, port, Path(instance))
        try:
            cookie = sign_in(port, data["user_email"])
            api = {"Authorization": f"Bearer {data['token']}"}
            web = {"Cookie": cookie}
            cases = [
                ("download", "GET", f"/api/v1/handouts/{data['handout_id']}.pdf", api),
                ("issue", "POST", f"/api/v1/programs/{data['program_id']}/handouts", api),
                ("patient search", "GET", "/patients?q=nunez", web),
                ("builder page", "GET", f"/programs/{data['program_id']}", web),
                (
                    f"patient page, {args.history} handouts",
                    "GET",
                    f"/patients/{data['patient_id']}",
                    web,
                ),
            ]
            link = private_link(port, cookie, data["patient_id"])
            if link:
                cases.append(("private link", "GET", link, {}))
            else:
                print("  (no private link on the patient page: that case is left out)")
            send = run_wrk if args.client == "wrk" else run
            print(f"  load from: {'wrk (' + WRK + ')' if send is run_wrk else 'the Python client'}")
            print(
                f"  {'case':32} {'conc':>4} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} "
                f"{'errors':>6} {'app CPU/req':>11} {'db CPU/req':>10}"
            )
            for label, method, path, headers in cases:
                if args.cases and label.split(",")[0] not in args.cases:
                    continue
                send(port, method, path, headers, 2, 0.5)  # warm both workers up first
                app = server_pids(server.pid)
                for threads in CONCURRENCY:
                    wait_until_idle(port)
                    database = backend_pids(url)
                    app_cpu, db_cpu = cpu_seconds(app), cpu_seconds(database)
                    result = send(port, method, path, headers, threads, args.seconds)
                    database = set(database) | set(backend_pids(url))
                    app_cpu = (cpu_seconds(app) - app_cpu) * 1000 / max(1, result["n"])
                    db_cpu = (cpu_seconds(database) - db_cpu) * 1000 / max(1, result["n"])
                    print(
                        f"  {label:32} {threads:4d} {result['rps']:8.1f} {result['p50']:7.1f} "
                        f"{result['p95']:7.1f} {result['p99']:7.1f} {result['errors']:6d} "
                        f"{app_cpu:8.1f} ms {db_cpu:7.1f} ms"
                    )
        finally:
            server.terminate()
            server.wait(timeout=20)
    if per_handout:
        print(f"  database bytes per issued handout (after seeding): {per_handout / 1024:.1f} KB")
    print("  " + json.dumps({"handouts_seeded": data["handouts"]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per case and concurrency")
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument("--history", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--case",
        dest="cases",
        action="append",
        help="run only this case (repeatable): download, issue, patient search, builder page, "
        "patient page, private link",
    )
    parser.add_argument(
        "--pg-database",
        default="hb_bench",
        help="the PostgreSQL database to create afresh (dropped first if it exists)",
    )
    parser.add_argument(
        "--client",
        choices=["wrk", "python"],
        default="wrk" if WRK else "python",
        help="what sends the requests (default: wrk when it is installed)",
    )
    args = parser.parse_args()
    if args.client == "wrk" and not WRK:
        raise SystemExit("wrk is not installed (apt-get install wrk); or use --client python")
    if args.client == "python" and not WRK:
        print("wrk is not installed (apt-get install wrk): the Python client sends the load")
    on_each_database(
        lambda label, url: bench_database(label, url, args), args.pg_database, args.only
    )


if __name__ == "__main__":
    main()
