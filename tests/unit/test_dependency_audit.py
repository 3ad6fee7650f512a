"""The offline dependency audit (.ci/check-advisories) fails on a pin a vendored advisory names."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / ".ci" / "check-advisories"
ADVISORIES = ROOT / ".ci" / "advisories.txt"


def audit(lock: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECK), str(lock), str(ADVISORIES)], capture_output=True, text=True
    )


def test_the_committed_lock_has_no_vendored_advisory():
    result = audit(ROOT / "requirements.lock")
    assert result.returncode == 0, result.stdout


def test_a_pin_older_than_an_advisory_fails_naming_it(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("Jinja2==3.1.4\nPillow==11.3.0\n")
    result = audit(lock)
    assert result.returncode == 1
    assert "jinja2 3.1.4 < 3.1.6: CVE-2025-27516" in result.stdout
    assert "pillow" not in result.stdout.split("\n", 1)[1]
