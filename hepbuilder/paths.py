"""Where the bundled templates and exercise library live, in a checkout or an installed wheel."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED_DIR = _PACKAGE_DIR / "_bundled"  # filled by setup.py's build step in a wheel


def _resource(name: str) -> Path:
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    return _BUNDLED_DIR / name


TEMPLATES_DIR = _resource("templates")
LIBRARY_DIR = _resource("exercise_library")
