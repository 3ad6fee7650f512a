"""The import rules of DESIGN.md, checked in fresh interpreters: one per set of forbidden
packages, importing every module that set applies to. What the modules load together includes
what each loads alone, so a forbidden package loaded by any one of them is caught (and named)."""

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


def modules_loaded_by(*modules: str) -> set[str]:
    """The modules (and their top-level packages) loaded by importing `modules` in a fresh
    interpreter."""
    code = f"import sys, {', '.join(modules)}; print('\\n'.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return {name.split(".")[0] for name in output.stdout.split()} | set(output.stdout.split())


def loaders(modules: tuple[str, ...], forbidden: set[str]) -> dict[str, list[str]]:
    """Which of `modules`, each in a fresh interpreter of its own, loads which forbidden ones."""
    found = {module: sorted(modules_loaded_by(module) & forbidden) for module in modules}
    return {module: names for module, names in found.items() if names}


@pytest.mark.parametrize(
    ("modules", "forbidden"),
    [
        (
            ("hepbuilder", "hepbuilder.domain.spec"),
            (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "sqlalchemy", "reportlab", "yaml"),
        ),
        (("hepbuilder.db.models",), (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "reportlab")),
        (("hepbuilder.config",), (*FORBIDDEN_EVERYWHERE_BELOW_WEB, "sqlalchemy", "reportlab")),
        (("hepbuilder.library",), (*FORBIDDEN_EVERYWHERE_BELOW_WEB, *NO_DATABASE, "reportlab")),
        (
            ("hepbuilder.illustrations", "hepbuilder.pdf"),
            (*FORBIDDEN_EVERYWHERE_BELOW_WEB, *NO_DATABASE),
        ),
        (
            tuple(f"hepbuilder.services.{name}" for name in SERVICE_MODULES),
            FORBIDDEN_EVERYWHERE_BELOW_WEB,
        ),
    ],
    ids=["root-and-spec", "db-models", "config", "library", "illustrations-and-pdf", "services"],
)
def test_layer_imports_nothing_above_it(modules, forbidden):
    loaded = modules_loaded_by(*modules)
    assert not loaded & set(forbidden), loaders(modules, set(forbidden))
