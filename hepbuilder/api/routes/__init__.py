"""JSON API v1 routes, one module per resource; `bp` is the blueprint they all register on."""

from . import exercises, handouts, meta, patients, programs, protocols  # noqa: F401
from .common import bp

__all__ = ["bp"]
