"""The module map's rules from issue 18, held so they stay true: no module over 600 lines
(migrations aside), no two classes of the package with one name, and none named like one of
reportlab's public classes (a `Frame` or `Rect` of ours read beside reportlab's is a trap)."""

import ast
import importlib
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "hepbuilder"
MAX_LINES = 600
REPORTLAB_MODULES = (
    "reportlab.graphics.shapes",
    "reportlab.lib.styles",
    "reportlab.pdfbase.pdfdoc",
    "reportlab.pdfgen.canvas",
    "reportlab.platypus",
)


def package_modules() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]


def classes_by_name() -> dict[str, list[str]]:
    found = defaultdict(list)
    for path in package_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                found[node.name].append(str(path.relative_to(PACKAGE)))
    return found


def test_no_module_is_over_600_lines():
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in package_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_two_classes_share_a_name():
    assert {name: paths for name, paths in classes_by_name().items() if len(paths) > 1} == {}


def test_no_class_is_named_like_a_reportlab_class():
    reportlab = set()
    for module in REPORTLAB_MODULES:
        reportlab |= {name for name in dir(importlib.import_module(module)) if name[:1].isupper()}
    assert sorted(set(classes_by_name()) & reportlab) == []
