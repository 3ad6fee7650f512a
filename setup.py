"""Copies the top-level templates/ and exercise_library/ into the wheel as hepbuilder/_bundled/.

The product layout keeps them at the top level; a non-editable install must still ship them.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "exercise_library")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "hepbuilder" / "_bundled"
        for name in BUNDLED:
            destination = target / name
            if destination.exists():
                shutil.rmtree(destination)
            shutil.copytree(ROOT / name, destination, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithResources})
