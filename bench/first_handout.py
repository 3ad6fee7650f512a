"""The first handout of a new process, cold and after `warm_up()`, against a warm one (not a test).

Each case runs in a fresh interpreter: "cold" imports hepbuilder.pdf and renders
bench/spec-10.json at once; "warmed" first calls hepbuilder.pdf.warm.warm_up(), as
`hepbuilder serve` does in gunicorn's master before forking its workers. Both then render the
same handout 10 more times; the median of those is "a warm one". Goal (issue 13): the first
handout of a warmed worker at most 3x a warm one. Wall time, so a busy machine blurs it.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = 10


def measure(warmed: bool) -> dict:
    """In this (fresh) process: milliseconds of the warm-up, the first render and a warm one."""
    sys.path.insert(0, str(HERE.parent))
    started = time.perf_counter()
    from hepbuilder.pdf import render_spec

    warm_ms = 0.0
    if warmed:
        from hepbuilder.pdf.warm import warm_up

        warm_up()
        warm_ms = (time.perf_counter() - started) * 1000
    spec = json.loads((HERE / "spec-10.json").read_text())

    def render_ms() -> float:
        start = time.perf_counter()
        render_spec(spec, base_dir=HERE)
        return (time.perf_counter() - start) * 1000

    first = render_ms()
    rest = sorted(render_ms() for _ in range(RUNS))
    return {"warm_up_ms": warm_ms, "first_ms": first, "warm_ms": rest[RUNS // 2]}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2] == "warmed")))
        return
    print("First handout of a new process (bench/spec-10.json, wall time):")
    for case in ("cold", "warmed"):
        output = subprocess.run(
            [sys.executable, __file__, "--measure", case],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(output)
        ratio = r["first_ms"] / r["warm_ms"]
        warm_up = f", warm-up {r['warm_up_ms']:.0f} ms before it" if case == "warmed" else ""
        print(
            f"  {case:6}  first {r['first_ms']:6.0f} ms, a warm one {r['warm_ms']:5.0f} ms:"
            f" {ratio:4.1f}x{warm_up}"
        )


if __name__ == "__main__":
    main()
