"""A library file's data as tests read it: PyYAML's libyaml parser where PyYAML has it, as the
loader uses (the pure-Python one, `yaml.safe_load`, took about 20 ms an exercise file, and the
illustration tests read some 800 of them)."""

from pathlib import Path

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_library_file(path: Path) -> object:
    """The YAML file's data: a fresh copy on every call, free to change."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
