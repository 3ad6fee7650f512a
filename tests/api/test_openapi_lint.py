"""The OpenAPI document passes Redocly's recommended rules and Spectral's spectral:oas with no
errors. Both come from npm (`npm ci --prefix tests/apilint`, which .ci/run does)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hepbuilder.api.openapi import build_document

LINT = Path(__file__).resolve().parents[1] / "apilint"
BIN = LINT / "node_modules" / ".bin"

pytestmark = pytest.mark.skipif(
    not (shutil.which("node") and (BIN / "redocly").exists() and (BIN / "spectral").exists()),
    reason="needs Node.js with Redocly CLI and Spectral: npm ci --prefix tests/apilint",
)


@pytest.fixture(scope="module")
def document_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(build_document("https://hep.example.test"), indent=1))
    return path


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=LINT, capture_output=True, text=True, timeout=300)


def test_openapi_passes_redocly_recommended_rules(document_path):
    command = [str(BIN / "redocly"), "lint", "--config", "redocly.yaml", "--format", "json"]
    result = _run(*command, str(document_path))
    report = json.loads(result.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert errors == [], errors
    assert report["totals"]["errors"] == 0
    assert result.returncode == 0, result.stderr


def test_openapi_passes_spectral_oas_rules(document_path, tmp_path):
    output = tmp_path / "spectral.json"
    command = [str(BIN / "spectral"), "lint", "--ruleset", ".spectral.yaml", "--format", "json"]
    result = _run(*command, "--output", str(output), str(document_path))
    problems = json.loads(output.read_text())
    errors = [problem for problem in problems if problem["severity"] == 0]
    assert errors == [], errors
    assert result.returncode == 0, result.stdout + result.stderr
