"""The import rules of DESIGN.md, checked in a fresh interpreter per layer."""

import subprocess
import sys

import pytest

FORBIDDEN_EVERYWHERE_BELOW_WEB = ("flask", "flask_wtf", "flask_login", "wtforms")
NO_DATABASE = ("sqlalchemy", "psycopg", "alembic")


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
        ("hepbuilder.services.library", FORBIDDEN_EVERYWHERE_BELOW_WEB),
        ("hepbuilder.services.programs", FORBIDDEN_EVERYWHERE_BELOW_WEB),
        ("hepbuilder.services.handouts", FORBIDDEN_EVERYWHERE_BELOW_WEB),
        ("hepbuilder.services.clinic_settings", FORBIDDEN_EVERYWHERE_BELOW_WEB),
    ],
)
def test_layer_imports_nothing_above_it(module, forbidden):
    loaded = modules_loaded_by(module)
    assert not loaded & set(forbidden), f"{module} loads {sorted(loaded & set(forbidden))}"
