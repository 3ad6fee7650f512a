"""hepbuilder: home-exercise-program builder. Imports nothing heavy: no Flask, no database driver."""

__version__ = "0.1.0"
