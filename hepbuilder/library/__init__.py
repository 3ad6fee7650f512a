"""Library files layer: reads and writes exercise_library/ (YAML) as domain objects.

Imports domain and illustrations only; never Flask or the database.
"""

from .loader import (
    Library,
    LibraryError,
    LibraryProblem,
    check_entry,
    exercise_to_yaml,
    load_library,
    write_library,
)

__all__ = [
    "Library",
    "LibraryError",
    "LibraryProblem",
    "check_entry",
    "exercise_to_yaml",
    "load_library",
    "write_library",
]
