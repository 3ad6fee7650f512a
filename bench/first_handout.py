"""The first handout of a new process, cold and after `warm_up()`, against a warm one (not a test).

Each case runs in a fresh interpreter: "cold" imports hepbuilder.pdf and renders
bench/spec-10.json at once; "warmed" first calls hepbuilder.pdf.warm.warm_up(), as
`hepbuilder serve` does in gunicorn's master before forking its workers. Both then render the
same handout 10 more times; the median of those is "a warm one". Goal (issue 13): the first
handout of a warmed worker at most 3x a warm one. Wall time, so a busy machine blurs it.

"own" cases render the same handout of a clinic's own exercises (each pose turned a few degrees,
so no bundled drawing fits, inline as a snapshot holds them) after `warm_up()`: "own-computed"
draws them from nothing (what every new process did before stored paths), "own-stored" first
takes their stored paths (made by this parent process, as a save stores them) into the process,
as `services.illustration_paths.load_illustration_paths` does after its one query. Besides wall
time, each case prints the CPU time of its first render and how often it computed geometry.
"""

import copy
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = 10
CASES = ("cold", "warmed", "own-computed", "own-stored")


def own_spec() -> dict:
    """bench/spec-10.json with its exercises inline and every pose turned (the clinic's own)."""
    from hepbuilder.library import load_library

    library = load_library()
    spec = json.loads((HERE / "spec-10.json").read_text())
    for number, item in enumerate(spec["items"], start=1):
        exercise = copy.deepcopy(library.exercises[item["exercise"]].to_dict())
        camera = exercise["illustration"].setdefault("camera", {})
        camera["yaw_deg"] = camera.get("yaw_deg", 0) + 3 + number
        item["exercise"] = exercise
    return spec


def measure(case: str, stored_file: str = "") -> dict:
    """In this (fresh) process: milliseconds of the warm-up, the first render and a warm one."""
    sys.path.insert(0, str(HERE.parent))
    started = time.perf_counter()
    from hepbuilder.pdf import render_spec

    warm_ms = 0.0
    if case != "cold":
        from hepbuilder.pdf.warm import warm_up

        warm_up()
        gc.collect()  # as `hepbuilder serve`'s master does before forking its workers
        gc.freeze()
        warm_ms = (time.perf_counter() - started) * 1000
    if case.startswith("own"):
        spec = json.loads(Path(stored_file).read_text())["spec"]
    else:
        spec = json.loads((HERE / "spec-10.json").read_text())
    from hepbuilder.illustrations.cache import COMPUTED

    COMPUTED.clear()
    kept_ms = 0.0
    if case == "own-stored":
        from hepbuilder.illustrations.stored import keep_paths
        from hepbuilder.pdf.stored_paths import paths_engine

        start = time.perf_counter()
        for entry in json.loads(Path(stored_file).read_text())["entries"]:
            body = bytes.fromhex(entry["body"])
            assert keep_paths(entry["key"], entry["engine"], body, paths_engine())
        kept_ms = (time.perf_counter() - start) * 1000

    def render_ms() -> float:
        start = time.perf_counter()
        render_spec(spec, base_dir=HERE)
        return (time.perf_counter() - start) * 1000

    cpu = time.process_time()
    first = render_ms()
    first_cpu_ms = (time.process_time() - cpu) * 1000
    computed = dict(COMPUTED)
    rest, rest_cpu = [], []
    for _ in range(RUNS):
        cpu = time.process_time()
        rest.append(render_ms())
        rest_cpu.append((time.process_time() - cpu) * 1000)
    rest.sort()
    rest_cpu.sort()
    return {
        "warm_up_ms": warm_ms,
        "kept_ms": kept_ms,
        "first_ms": first,
        "first_cpu_ms": first_cpu_ms,
        "computed": computed,
        "warm_ms": rest[RUNS // 2],
        "warm_cpu_ms": rest_cpu[RUNS // 2],
    }


def _stored_file(directory: str) -> str:
    """The own spec and its poses' stored paths (made here, as a save makes them), in a file."""
    sys.path.insert(0, str(HERE.parent))
    from hepbuilder.domain.exercise import poses_drawn
    from hepbuilder.pdf.stored_paths import paths_entry

    spec = own_spec()
    entries = []
    for item in spec["items"]:
        for pose in poses_drawn(item["exercise"]["illustration"]):
            entry = paths_entry(pose)
            entries.append({"key": entry.key, "engine": entry.engine, "body": entry.body.hex()})
    path = Path(directory) / "own.json"
    path.write_text(json.dumps({"spec": spec, "entries": entries}))
    return str(path)


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")))
        return
    print("First handout of a new process (bench/spec-10.json, wall time):")
    with tempfile.TemporaryDirectory() as directory:
        stored_file = _stored_file(directory)
        for case in CASES:
            output = subprocess.run(
                [sys.executable, __file__, "--measure", case, stored_file],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(output)
            ratio = r["first_ms"] / r["warm_ms"]
            warm_up = f", warm-up {r['warm_up_ms']:.0f} ms before it" if case != "cold" else ""
            kept = f", stored paths taken in {r['kept_ms']:.1f} ms" if case == "own-stored" else ""
            print(
                f"  {case:12}  first {r['first_ms']:6.0f} ms (CPU {r['first_cpu_ms']:4.0f} ms,"
                f" computed {r['computed'] or 'nothing'}), a warm one {r['warm_ms']:5.0f} ms"
                f" (CPU {r['warm_cpu_ms']:3.0f} ms): {ratio:4.1f}x{warm_up}{kept}"
            )


if __name__ == "__main__":
    main()
