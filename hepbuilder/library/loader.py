"""Read and write an exercise library folder: exercises/<slug>.yaml, muscles.yaml, protocols.yaml.

`load_library` parses every file with the domain parsers, cross-checks them (file names, unique
slugs, known muscles, known protocol exercises, illustrations) and reports every problem at once,
naming the file and the field; a library with any problem loads nothing. It is called on the
render hot path, so the result is cached per folder until a file's size or mtime changes.
`write_library` writes the form `load_library` reads, losslessly.
"""

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import yaml

from hepbuilder import paths
from hepbuilder.domain.dose import Dose
from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.exercise import (
    LibraryExercise,
    LibraryMuscle,
    LibraryProtocol,
    library_problems,
    parse_exercise,
    parse_muscle,
    parse_protocol,
)
from hepbuilder.domain.steps import step_problems
from hepbuilder.domain.text import fold

EXERCISES_DIR = "exercises"
IMAGES_DIR = "images"
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # one image file; the services check its content
MUSCLES_FILE = "muscles.yaml"
PROTOCOLS_FILE = "protocols.yaml"

# DESIGN.md, "Exercise library entry": the keys a file may hold, in the order they are written.
EXERCISE_KEYS = (
    "slug",
    "name",
    "summary",
    "category",
    "body_region",
    "position",
    "targets",
    "equipment",
    "steps",
    "cues",
    "precautions",
    "conditions",
    "photos",
    "defaults",
    "illustration",
    "source",
)
MUSCLE_KEYS = ("name", "actions")
PROTOCOL_KEYS = ("slug", "name", "description", "conditions", "items", "progression")
PROTOCOL_ITEM_KEYS = ("exercise", "dose", "notes")

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Library:
    """A whole library, checked. The mappings are read-only: one object is shared by every caller.

    `exercises` is ordered by name, `muscles` and `protocols` keep their file order. `images`
    holds the bytes of every image an exercise's `photos` names, by path ("images/x.png").
    """

    exercises: Mapping[str, LibraryExercise]
    muscles: Mapping[str, LibraryMuscle]
    protocols: Mapping[str, LibraryProtocol]
    images: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))


class LibraryProblem(NamedTuple):
    """One problem in a library folder: the file (relative, with "/"), the field (or ""), why.

    A problem with a whole zip upload (not a zip, too large) names no file: its message is a
    sentence of its own.
    """

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        if not self.file:
            return self.message
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class LibraryError(ValidationError):
    """A library folder (or an export target) has problems. `problems` lists each one.

    `fields` maps "file: field" to the sentence, so the usual "field: text" rendering reads
    "exercises/pigeon-stretch.yaml: defaults.sets: must be from 1 to 20 (got 40)".
    """

    def __init__(self, problems: Iterable[LibraryProblem]):
        self.problems = tuple(problems)
        fields: dict[str, str] = {}
        for problem in self.problems:
            key = f"{problem.file}: {problem.field}" if problem.field else problem.file
            fields[key] = f"{fields[key]}; {problem.message}" if key in fields else problem.message
        lines = [str(problem) for problem in self.problems]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = f"The exercise library has {len(lines)} problems: " + "; ".join(lines)
        super().__init__(fields, message)


# --- reading -----------------------------------------------------------------------------------


class _Loader(_BaseLoader):
    """Safe YAML that refuses a key given twice in a mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice", key_node.start_mark
                    )
        return super().construct_mapping(node, deep=deep)


_UNREADABLE = object()  # _read_yaml's answer when it has recorded a problem


def _read_yaml(path: Path, name: str, problems: list[LibraryProblem]) -> object:
    """The file's data (None for an empty file), or _UNREADABLE after recording a problem."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        problems.append(LibraryProblem(name, "", "is missing"))
        return _UNREADABLE
    except UnicodeDecodeError:
        problems.append(LibraryProblem(name, "", "is not UTF-8 text"))
        return _UNREADABLE
    except OSError as error:
        problems.append(LibraryProblem(name, "", f"cannot be read ({error.strerror or error})"))
        return _UNREADABLE
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        problems.append(LibraryProblem(name, where, f"is not valid YAML ({reason})"))
        return _UNREADABLE


def _unknown_keys(data: dict, allowed: tuple[str, ...], prefix: str) -> dict[str, str]:
    expected = "expected one of: " + ", ".join(allowed)
    return {
        f"{prefix}{key}": f"is not a known field ({expected})" for key in data if key not in allowed
    }


def _add(
    problems: list[LibraryProblem], name: str, fields: Mapping[str, str], prefix: str = ""
) -> None:
    problems.extend(LibraryProblem(name, prefix + field, text) for field, text in fields.items())


def _illustration_validator():
    """`hepbuilder.illustrations.validate_illustration`, or None while that layer has none yet."""
    from hepbuilder import illustrations

    return getattr(illustrations, "validate_illustration", None)


def check_entry(
    data: dict, *, muscle_slugs: Iterable[str] | None = None, validate_illustration=None
) -> LibraryExercise:
    """One exercise entry checked by the rules every library file passes; raises ValidationError.

    The rules: only known fields, `parse_exercise` and `library_problems`, steps that cannot
    contradict a dose (`step_problems`), the illustration
    validator (default: the illustrations layer's) and, when `muscle_slugs` is given, targets
    that name known muscles.
    The loader and the web editor both call this, so an entry is valid in one if in the other.
    """
    if validate_illustration is None:
        validate_illustration = _illustration_validator()
    errors = _unknown_keys(data, EXERCISE_KEYS, "")
    exercise = None
    try:
        exercise = parse_exercise(data)
    except ValidationError as error:
        errors.update(error.fields)
    if exercise is not None:
        errors.update(library_problems(exercise))
        errors.update(step_problems(exercise.steps, exercise.defaults))
        if exercise.illustration is not None and validate_illustration is not None:
            try:
                validate_illustration(exercise.illustration)
            except ValidationError as error:
                errors.update(error.prefixed("illustration.").fields)
        if muscle_slugs is not None:
            known = set(muscle_slugs)
            for index, target in enumerate(exercise.targets):
                if target not in known:
                    errors[f"targets[{index}]"] = (
                        f'unknown muscle "{target}" (not in {MUSCLES_FILE})'
                    )
    if errors:
        raise ValidationError(errors)
    return exercise


def _load_exercise(
    path: Path, name: str, problems: list[LibraryProblem], validate_illustration
) -> LibraryExercise | None:
    data = _read_yaml(path, name, problems)
    if data is _UNREADABLE:
        return None
    if data is None:
        problems.append(
            LibraryProblem(name, "", "is empty (expected a mapping of exercise fields)")
        )
        return None
    if not isinstance(data, dict):
        problems.append(
            LibraryProblem(name, "", "must be a mapping of exercise fields at the top level")
        )
        return None
    errors: dict[str, str] = {}
    exercise = None
    try:
        exercise = check_entry(data, validate_illustration=validate_illustration or _no_check)
    except ValidationError as error:
        errors.update(error.fields)
    if exercise is not None and exercise.slug != path.stem:
        errors["slug"] = f'must match the file name "{path.stem}" (got "{exercise.slug}")'
    _add(problems, name, errors)
    return None if errors else exercise


def _no_check(_illustration) -> None:
    """The illustration check when the illustrations layer offers none."""


def _load_muscles(
    path: Path, problems: list[LibraryProblem]
) -> tuple[dict[str, LibraryMuscle], set[str] | None]:
    """The valid muscles, and every slug the file names (None when the file could not be read)."""
    data = _read_yaml(path, MUSCLES_FILE, problems)
    if data is _UNREADABLE:
        return {}, None
    if not isinstance(data, dict):
        problems.append(
            LibraryProblem(MUSCLES_FILE, "", "must be a mapping of muscle slugs at the top level")
        )
        return {}, None
    muscles: dict[str, LibraryMuscle] = {}
    for slug, entry in data.items():
        if not isinstance(slug, str):
            problems.append(LibraryProblem(MUSCLES_FILE, str(slug), "must be a muscle slug (text)"))
            continue
        errors = _unknown_keys(entry, MUSCLE_KEYS, f"{slug}.") if isinstance(entry, dict) else {}
        try:
            muscles[slug] = parse_muscle(slug, entry)
        except ValidationError as error:
            errors.update(error.fields)
        _add(problems, MUSCLES_FILE, errors)
    return muscles, {slug for slug in data if isinstance(slug, str)}


def _load_protocols(
    path: Path, problems: list[LibraryProblem]
) -> list[tuple[str, LibraryProtocol]]:
    """(field prefix, protocol) pairs; no protocols.yaml means a library without protocols."""
    if not path.exists():
        return []
    data = _read_yaml(path, PROTOCOLS_FILE, problems)
    if data is _UNREADABLE or data is None:
        return []
    if not isinstance(data, list):
        problems.append(
            LibraryProblem(PROTOCOLS_FILE, "", "must be a list of protocols at the top level")
        )
        return []
    protocols = []
    for index, entry in enumerate(data):
        slug = entry.get("slug") if isinstance(entry, dict) else None
        prefix = f"{slug}." if isinstance(slug, str) and slug.strip() else f"[{index}]."
        errors: dict[str, str] = {}
        if isinstance(entry, dict):
            errors.update(_unknown_keys(entry, PROTOCOL_KEYS, ""))
            items = entry.get("items")
            for number, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    errors.update(_unknown_keys(item, PROTOCOL_ITEM_KEYS, f"items[{number}]."))
        try:
            protocol = parse_protocol(entry)
        except ValidationError as error:
            errors.update(error.fields)
        else:
            if not errors:
                protocols.append((prefix, protocol))
        _add(problems, PROTOCOLS_FILE, errors, prefix)
    return protocols


def _load_uncached(directory: Path) -> Library:
    if not directory.is_dir():
        raise LibraryError([LibraryProblem(str(directory), "", "is not a folder")])
    problems: list[LibraryProblem] = []
    validate_illustration = _illustration_validator()

    exercise_dir = directory / EXERCISES_DIR
    exercise_paths: list[Path] = []
    if exercise_dir.is_dir():
        exercise_paths = sorted(
            p for p in exercise_dir.iterdir() if p.suffix == ".yaml" and p.is_file()
        )
    else:
        problems.append(
            LibraryProblem(f"{EXERCISES_DIR}/", "", "is missing (a folder of <slug>.yaml files)")
        )
    exercises: list[LibraryExercise] = []
    for path in exercise_paths:
        exercise = _load_exercise(
            path, f"{EXERCISES_DIR}/{path.name}", problems, validate_illustration
        )
        if exercise is not None:
            exercises.append(exercise)  # slug == its (distinct) file name, so no clashes

    muscles, muscle_slugs = _load_muscles(directory / MUSCLES_FILE, problems)
    if muscle_slugs is not None:
        for exercise in exercises:
            for index, target in enumerate(exercise.targets):
                if target not in muscle_slugs:
                    problems.append(
                        LibraryProblem(
                            f"{EXERCISES_DIR}/{exercise.slug}.yaml",
                            f"targets[{index}]",
                            f'unknown muscle "{target}" (not in {MUSCLES_FILE})',
                        )
                    )

    protocols: dict[str, LibraryProtocol] = {}
    exercise_slugs = {path.stem for path in exercise_paths}
    for prefix, protocol in _load_protocols(directory / PROTOCOLS_FILE, problems):
        if protocol.slug in protocols:
            problems.append(
                LibraryProblem(PROTOCOLS_FILE, prefix + "slug", f'"{protocol.slug}" is used twice')
            )
            continue
        protocols[protocol.slug] = protocol
        for index, item in enumerate(protocol.items):
            if item.exercise not in exercise_slugs:
                field = f"{prefix}items[{index}].exercise"
                problems.append(
                    LibraryProblem(PROTOCOLS_FILE, field, f'unknown exercise "{item.exercise}"')
                )

    images = _read_images(directory, exercises, problems)
    if problems:
        raise LibraryError(sorted(problems, key=lambda problem: problem.file))  # stable: per file
    exercises.sort(key=lambda e: (fold(e.name), e.slug))
    return Library(
        exercises=MappingProxyType({e.slug: e for e in exercises}),
        muscles=MappingProxyType(muscles),
        protocols=MappingProxyType(protocols),
        images=MappingProxyType(images),
    )


def _read_images(
    directory: Path, exercises: list[LibraryExercise], problems: list[LibraryProblem]
) -> dict[str, bytes]:
    """The bytes of every image the exercises' `photos` name (their content is checked where
    they are stored, by the images service)."""
    images: dict[str, bytes] = {}
    for exercise in exercises:
        for index, path in enumerate(exercise.photos):
            where = LibraryProblem(f"{EXERCISES_DIR}/{exercise.slug}.yaml", f"photos[{index}]", "")
            file = directory / path
            try:
                size = file.stat().st_size
                if size > MAX_IMAGE_BYTES or file.is_symlink():
                    problems.append(where._replace(message=f"{path} is too large or a link"))
                    continue
                images[path] = file.read_bytes()
            except OSError:
                problems.append(where._replace(message=f"{path} is missing"))
    return images


# --- the cache ---------------------------------------------------------------------------------

_cache: dict[str, tuple[tuple, Library | LibraryError]] = {}
_cache_lock = threading.Lock()


def _stat_signature(directory: str) -> tuple:
    """(name, size, mtime, inode) of every library file: cheap, and changes whenever a file does."""
    signature = []
    for name in (MUSCLES_FILE, PROTOCOLS_FILE):
        try:
            stat = os.stat(os.path.join(directory, name))
        except OSError:
            signature.append((name, None))
        else:
            signature.append((name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    try:
        with os.scandir(os.path.join(directory, EXERCISES_DIR)) as entries:
            files = []
            for entry in entries:
                if entry.name.endswith(".yaml"):
                    stat = entry.stat()
                    files.append((entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    except OSError:
        files = [None]
    signature.extend(sorted(files, key=str))
    return tuple(signature)


def load_library(directory: Path | str | None = None, *, cached: bool = True) -> Library:
    """The checked library in `directory` (default: the bundled one). Raises LibraryError.

    Memoised per resolved folder: while no library file changes size, mtime or inode, every call
    returns the same Library object (or raises the same problems) without reading the files again.
    `cached=False` reads a one-off folder (an unpacked upload) without keeping it.
    """
    key = os.path.realpath(paths.LIBRARY_DIR if directory is None else directory)
    if not cached:
        return _load_uncached(Path(key))
    signature = _stat_signature(key)
    cached = _cache.get(key)
    if cached is None or cached[0] != signature:
        with _cache_lock:
            cached = _cache.get(key)
            if cached is None or cached[0] != signature:
                try:
                    result: Library | LibraryError = _load_uncached(Path(key))
                except LibraryError as error:
                    result = error
                cached = (signature, result)
                _cache[key] = cached
    result = cached[1]
    if isinstance(result, LibraryError):
        raise LibraryError(result.problems)
    return result


def clear_library_cache() -> None:
    """Forget every cached library (tests; a changed file is noticed without this)."""
    with _cache_lock:
        _cache.clear()


# --- writing -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block-style, alias-free YAML; text with line breaks is written as a `|` block."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # "  - item" under its key, as people write it


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_tuple(dumper: yaml.SafeDumper, value: tuple) -> yaml.SequenceNode:
    return dumper.represent_list(list(value))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(tuple, _represent_tuple)


def _dump(data: object) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,  # one line per step or cue, never folded
        indent=2,
    )


def _dose_data(dose: Dose) -> dict:
    """The set fields of a dose; `side` always, as it reads better than leaving it implied."""
    return {key: value for key, value in dose.to_dict().items() if value is not None}


def _exercise_data(exercise: LibraryExercise) -> dict:
    data = exercise.to_dict()
    data["defaults"] = _dose_data(exercise.defaults)
    for optional in ("conditions", "photos"):
        if not data[optional]:
            del data[optional]
    if data["illustration"] is None:
        del data["illustration"]
    if not data["source"]:
        del data["source"]
    return {key: data[key] for key in EXERCISE_KEYS if key in data}


def exercise_to_yaml(exercise: LibraryExercise) -> str:
    """One exercise as the text of exercises/<slug>.yaml, with keys in DESIGN.md's order."""
    return _dump(_exercise_data(exercise))


def muscles_to_yaml(muscles: Mapping[str, LibraryMuscle]) -> str:
    """The text of muscles.yaml: slug -> {name, actions}."""
    return _dump({m.slug: {"name": m.name, "actions": list(m.actions)} for m in muscles.values()})


def protocols_to_yaml(protocols: Mapping[str, LibraryProtocol]) -> str:
    """The text of protocols.yaml; an item's dose is written only when it overrides the default."""
    data = []
    for protocol in protocols.values():
        entry: dict = {"slug": protocol.slug, "name": protocol.name}
        if protocol.description:
            entry["description"] = protocol.description
        if protocol.conditions:
            entry["conditions"] = list(protocol.conditions)
        entry["items"] = []
        for item in protocol.items:
            item_data: dict = {"exercise": item.exercise}
            if item.dose is not None:
                item_data["dose"] = _dose_data(item.dose)
            if item.notes:
                item_data["notes"] = item.notes
            entry["items"].append(item_data)
        if protocol.progression:
            entry["progression"] = protocol.progression
        data.append(entry)
    return _dump(data)


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_library(library: Library, directory: Path | str) -> None:
    """Write `library` as a library folder that `load_library` reads back equal.

    Creates the folder if needed and replaces each file atomically, the photos' images included.
    Other *.yaml files already in `directory/exercises/` are deleted, so the folder holds exactly
    this library; nothing else in the folder (other images, notes) is touched.
    """
    directory = Path(directory)
    exercise_dir = directory / EXERCISES_DIR
    exercise_dir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{slug}.yaml" for slug in library.exercises}
    for exercise in library.exercises.values():
        _write_text(exercise_dir / f"{exercise.slug}.yaml", exercise_to_yaml(exercise))
    for stale in exercise_dir.glob("*.yaml"):
        if stale.name not in wanted:
            stale.unlink()
    _write_text(directory / MUSCLES_FILE, muscles_to_yaml(library.muscles))
    _write_text(directory / PROTOCOLS_FILE, protocols_to_yaml(library.protocols))
    for path, data in library.images.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
