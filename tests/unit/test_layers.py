"""The import rules of DESIGN.md, checked in a fresh interpreter per layer."""

import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN_EVERYWHERE_BELOW_WEB = ("flask", "flask_wtf", "flask_login", "wtforms")
NO_DATABASE = ("sqlalchemy", "psycopg", "alembic")
SERVICE_MODULES = sorted(
    path.stem
    for path in (Path(__file__).parents[2] / "hepbuilder" / "services").glob("*.py")
    if path.stem != "__init__"
)


def modules_loaded_by(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return {name.split(".")[0] for name in output.stdout.split()} | set(output.stdout.split())


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("hepbuilder", (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "sqlalchemy", "reportlab", "yaml")),
        (
            "hepbuilder.domain.spec",
            (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "sqlalchemy", "reportlab", "yaml"),
        ),
        ("hepbuilder.db.models", (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "reportlab")),
        ("hepbuilder.config", (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "sqlalchemy", "reportlab")),
        ("hepbuilder.library", (*FORBIDDEN_EVERYWHERE_BELOW_WEB, *NO_DATABASE, "reportlab")),
        ("hepbuilder.illustrations", (*FORBIDDEN_EVERYWHERE_BELOW_WEB, *NO_DATABASE)),
        ("hepbuilder.pdf", (*FORBIDDEN_EVERYWHERE_BELOW_WEB, *NO_DATABASE)),
        *(
            (f"hepbuilder.services.{name}", FORBIDDEN_EVERYWHERE_BELOW_WEB)
            for name in SERVICE_MODULES
        ),
    ],
)
def test_layer_imports_nothing_above_it(module, forbidden):
    loaded = modules_loaded_by(module)
    assert not loaded & set(forbidden), f"{module} loads {sorted(loaded & set(forbidden))}"
