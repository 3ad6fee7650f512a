"""The bundled exercise library and its loader: content checks, error reporting, export, cache."""

import re
import shutil
from pathlib import Path

import pytest

from hepbuilder import paths
from hepbuilder.domain.dose import Dose
from hepbuilder.domain.exercise import (
    CATEGORIES,
    POSITIONS,
    LibraryExercise,
    LibraryProtocol,
    ProtocolItem,
)
from hepbuilder.library import (
    Library,
    LibraryError,
    exercise_to_yaml,
    load_library,
    loader,
    write_library,
)

DESIGN_SLUGS = (
    "active-90-90",
    "figure-4-stretch",
    "pigeon-stretch",
    "couch-stretch",
    "psoas-lunge-stretch",
    "reverse-warrior-adductor-stretch",
    "hip-internal-rotator-stretch",
    "foam-roller-lateral-hip",
    "monster-walk",
    "banded-lunge",
    "step-up",
)
ARTICLE_MUSCLES = (
    "gluteus-maximus",
    "gluteus-medius",
    "gluteus-minimus",
    "piriformis",
    "superior-gemellus",
    "inferior-gemellus",
    "quadratus-femoris",
    "obturator-internus",
    "obturator-externus",
    "tensor-fasciae-latae",
    "iliacus",
    "psoas-major",
    "psoas-minor",
    "rectus-femoris",
    "sartorius",
    "hamstrings",
    "adductor-longus",
    "adductor-magnus",
    "pectineus",
    "gracilis",
    "quadriceps",
)
# The article's typos and slips; none may survive the rewrite.
ARTICLE_TYPOS = (
    "mixture",
    "song fixed",
    "bak ",
    "meed",
    "full legs",
    " ads ",
    "lie own",
    "lick a duck",
    "trendelenberg",
    "left left",
    "the the",
)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture
def library_copy(tmp_path) -> Path:
    """A private copy of the bundled library to break."""
    target = tmp_path / "library"
    shutil.copytree(paths.LIBRARY_DIR, target, ignore=shutil.ignore_patterns("images"))
    return target


def all_text(library: Library) -> list[str]:
    texts = []
    for exercise in library.exercises.values():
        texts += [exercise.name, exercise.summary, exercise.body_region, exercise.source]
        texts += [*exercise.steps, *exercise.cues, *exercise.precautions]
    for muscle in library.muscles.values():
        texts += [muscle.name, *muscle.actions]
    for protocol in library.protocols.values():
        texts += [protocol.name, protocol.description, *(item.notes for item in protocol.items)]
    return texts


def load_problems(directory: Path) -> LibraryError:
    with pytest.raises(LibraryError) as caught:
        load_library(directory)
    return caught.value


# --- the bundled library -----------------------------------------------------------------------


def test_bundled_library_loads(library):
    assert len(library.exercises) >= 11
    assert library.muscles and library.protocols


def test_bundled_library_has_the_design_slugs(library):
    assert set(DESIGN_SLUGS) <= set(library.exercises)


def test_bundled_library_has_both_protocols(library):
    assert library.protocols["tight-hips-low-back-pain"].name == "Tight hips with low back pain"
    assert (
        library.protocols["unstable-hips-trendelenburg"].name
        == "Unstable hips / Trendelenburg gait"
    )


def test_bundled_exercise_files_each_hold_one_unique_slug(library):
    stems = [path.stem for path in (paths.LIBRARY_DIR / "exercises").glob("*.yaml")]
    assert sorted(stems) == sorted(library.exercises)
    assert all(slug == exercise.slug for slug, exercise in library.exercises.items())


def test_bundled_exercises_are_ordered_by_name(library):
    names = [exercise.name.casefold() for exercise in library.exercises.values()]
    assert names == sorted(names)


@pytest.mark.parametrize(
    "slug", sorted(p.stem for p in (paths.LIBRARY_DIR / "exercises").glob("*.yaml"))
)
def test_bundled_exercise_has_every_field_a_handout_needs(library, slug):
    exercise = library.exercises[slug]
    assert exercise.name and exercise.summary and exercise.body_region and exercise.source
    assert exercise.category in CATEGORIES
    assert exercise.position in POSITIONS
    assert exercise.targets
    assert 4 <= len(exercise.steps) <= 8
    assert 2 <= len(exercise.cues) <= 3
    assert 1 <= len(exercise.precautions) <= 3
    assert exercise.defaults.sets and (exercise.defaults.reps or exercise.defaults.hold_seconds)
    assert exercise.summary.endswith(".") and exercise.summary.count(". ") == 0
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", item) for item in exercise.equipment)


def test_bundled_targets_are_muscles_in_muscles_yaml(library):
    for exercise in library.exercises.values():
        assert set(exercise.targets) <= set(library.muscles), exercise.slug


def test_bundled_muscles_cover_every_muscle_the_article_names(library):
    missing = [slug for slug in ARTICLE_MUSCLES if slug not in library.muscles]
    assert not missing
    assert all(muscle.actions for muscle in library.muscles.values())


def test_bundled_protocols_use_existing_exercises_and_stay_short(library):
    for protocol in library.protocols.values():
        assert 1 <= len(protocol.items) <= 8, protocol.slug
        assert all(item.exercise in library.exercises for item in protocol.items), protocol.slug


def test_trendelenburg_protocol_is_glute_medius_stability_work(library):
    slugs = [item.exercise for item in library.protocols["unstable-hips-trendelenburg"].items]
    assert {"monster-walk", "banded-lunge", "step-up"} <= set(slugs)
    assert all("gluteus-medius" in library.exercises[slug].targets for slug in slugs)


def test_tight_hips_protocol_is_mobility_and_stretches(library):
    items = library.protocols["tight-hips-low-back-pain"].items
    assert {library.exercises[item.exercise].category for item in items} <= {"mobility", "stretch"}


def test_figure_4_stretch_targets_piriformis(library):
    assert "piriformis" in library.exercises["figure-4-stretch"].targets


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("active-90-90", {"reps": 10, "side": "each"}),
        ("figure-4-stretch", {"side": "each"}),
        ("pigeon-stretch", {"side": "each"}),
        ("monster-walk", {"reps": 10}),
        ("banded-lunge", {"reps": 10, "side": "each"}),
        ("step-up", {"reps": 10, "hold_seconds": 2, "side": "each"}),
    ],
)
def test_bundled_defaults_come_from_the_article(library, slug, expected):
    defaults = library.exercises[slug].defaults.to_dict()
    assert {key: defaults[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("slug", "low", "high"),
    [
        ("figure-4-stretch", 60, 600),  # at least a minute
        ("pigeon-stretch", 60, 300),  # at least a minute, up to five
        ("reverse-warrior-adductor-stretch", 1, 60),  # up to a minute
        ("hip-internal-rotator-stretch", 1, 60),  # up to a minute
    ],
)
def test_bundled_holds_come_from_the_article(library, slug, low, high):
    assert low <= library.exercises[slug].defaults.hold_seconds <= high


def test_bundled_steps_do_not_number_themselves(library):
    from dataclasses import replace

    from hepbuilder.domain.steps import steps_for_dose

    for exercise in library.exercises.values():
        for step in steps_for_dose(exercise.steps, replace(exercise.defaults, side="each")):
            assert not step[0].isdigit(), f"{exercise.slug}: {step}"
            assert step[0].isupper() and step.endswith("."), f"{exercise.slug}: {step}"


@pytest.mark.parametrize("typo", ARTICLE_TYPOS)
def test_bundled_library_text_has_no_article_typo(library, typo):
    found = [text for text in all_text(library) if typo in text.casefold()]
    assert not found


# --- problems are named by file and field ------------------------------------------------------


def test_malformed_yaml_names_the_file_and_line(library_copy):
    (library_copy / "exercises" / "pigeon-stretch.yaml").write_text(
        "slug: pigeon-stretch\nname: Pigeon\nsteps: [unclosed\ncues: []\n", encoding="utf-8"
    )
    error = load_problems(library_copy)
    assert str(error).startswith("exercises/pigeon-stretch.yaml: line 4")
    assert "not valid YAML" in str(error)


def test_file_whose_top_level_is_not_a_mapping_is_named(library_copy):
    (library_copy / "exercises" / "step-up.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    error = load_problems(library_copy)
    assert (
        str(error)
        == "exercises/step-up.yaml: must be a mapping of exercise fields at the top level"
    )


def test_empty_exercise_file_is_named(library_copy):
    (library_copy / "exercises" / "step-up.yaml").write_text("", encoding="utf-8")
    assert str(load_problems(library_copy)).startswith("exercises/step-up.yaml: is empty")


def test_bad_field_names_the_file_and_the_field(library_copy):
    path = library_copy / "exercises" / "pigeon-stretch.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  sets: 1\n", "  sets: 40\n"), encoding="utf-8"
    )
    error = load_problems(library_copy)
    assert (
        str(error) == "exercises/pigeon-stretch.yaml: defaults.sets: must be from 1 to 20 (got 40)"
    )
    assert error.fields == {
        "exercises/pigeon-stretch.yaml: defaults.sets": "must be from 1 to 20 (got 40)"
    }


def test_unknown_field_is_named_so_typos_are_not_dropped(library_copy):
    path = library_copy / "exercises" / "step-up.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "precaution: Mind the step.\n", encoding="utf-8"
    )
    assert str(load_problems(library_copy)).startswith(
        "exercises/step-up.yaml: precaution: is not a known field"
    )


def test_key_given_twice_is_named(library_copy):
    path = library_copy / "exercises" / "step-up.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "name: Step up again\n", encoding="utf-8")
    message = str(load_problems(library_copy))
    assert message.startswith("exercises/step-up.yaml: line ")
    assert "'name' is given twice" in message


def test_slug_must_match_the_file_name(library_copy):
    path = library_copy / "exercises" / "step-up.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("slug: step-up", "slug: step-ups"),
        encoding="utf-8",
    )
    assert str(load_problems(library_copy)) == (
        'exercises/step-up.yaml: slug: must match the file name "step-up" (got "step-ups")'
    )


def test_unknown_target_muscle_is_named(library_copy):
    path = library_copy / "exercises" / "figure-4-stretch.yaml"
    text = path.read_text(encoding="utf-8").replace("  - piriformis\n", "  - piriformiss\n")
    path.write_text(text, encoding="utf-8")
    assert str(load_problems(library_copy)) == (
        "exercises/figure-4-stretch.yaml: targets[0]: "
        'unknown muscle "piriformiss" (not in muscles.yaml)'
    )


def test_unknown_protocol_exercise_is_named(library_copy):
    path = library_copy / "protocols.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("exercise: step-up\n", "exercise: step-upp\n", 1),
        encoding="utf-8",
    )
    assert str(load_problems(library_copy)) == (
        'protocols.yaml: unstable-hips-trendelenburg.items[3].exercise: unknown exercise "step-upp"'
    )


def test_duplicate_protocol_slug_is_named(library_copy):
    path = library_copy / "protocols.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "slug: unstable-hips-trendelenburg", "slug: tight-hips-low-back-pain"
    )
    path.write_text(text, encoding="utf-8")
    assert str(load_problems(library_copy)) == (
        'protocols.yaml: tight-hips-low-back-pain.slug: "tight-hips-low-back-pain" is used twice'
    )


def test_bad_muscle_entry_is_named(library_copy):
    path = library_copy / "muscles.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "popliteus:\n  name: Popliteus\n", encoding="utf-8"
    )
    assert str(load_problems(library_copy)) == "muscles.yaml: popliteus.actions: is required"


def test_missing_muscles_file_is_named(library_copy):
    (library_copy / "muscles.yaml").unlink()
    assert str(load_problems(library_copy)) == "muscles.yaml: is missing"


def test_every_problem_is_reported_and_nothing_loads(library_copy):
    (library_copy / "exercises" / "step-up.yaml").write_text("[1, 2]\n", encoding="utf-8")
    (library_copy / "exercises" / "monster-walk.yaml").write_text(
        "slug: monster-walk\n", encoding="utf-8"
    )
    (library_copy / "protocols.yaml").write_text("slug: not-a-list\n", encoding="utf-8")
    error = load_problems(library_copy)
    assert str(error).startswith("The exercise library has ")
    files = {problem.file for problem in error.problems}
    assert files == {"exercises/step-up.yaml", "exercises/monster-walk.yaml", "protocols.yaml"}
    assert "exercises/monster-walk.yaml: steps: is required" in str(error)


def test_illustration_problems_are_prefixed_with_illustration(library_copy, monkeypatch):
    from hepbuilder.domain.errors import ValidationError

    def reject(illustration):
        raise ValidationError({"frames[0].pose": "is not a known pose"})

    monkeypatch.setattr(loader, "_illustration_validator", lambda: reject)
    path = library_copy / "exercises" / "step-up.yaml"
    text = path.read_text(encoding="utf-8")
    if "\nillustration:" not in text:
        path.write_text(text + "illustration:\n  frames: []\n", encoding="utf-8")
    message = str(load_problems(library_copy))
    assert "exercises/step-up.yaml: illustration.frames[0].pose: is not a known pose" in message


# --- export ------------------------------------------------------------------------------------


def test_export_then_load_round_trips_the_bundled_library(library, tmp_path):
    write_library(library, tmp_path / "export")
    assert load_library(tmp_path / "export") == library


def test_export_then_load_round_trips_every_kind_of_value(tmp_path):
    exercise = LibraryExercise(
        slug="wall-sit",
        name="Wall sit: Zoë's version",
        summary="Line one.\nLine two, with # and 'quotes' and \"more\".",
        category="strength",
        body_region="knee",
        position="standing",
        targets=("quadriceps",),
        equipment=(),
        steps=("Yes", "No", "10 seconds is fine", "- dash", "null"),
        defaults=Dose(hold_seconds=30, side="left"),
        illustration=load_library().exercises["step-up"].illustration,
        source="",
    )
    original = Library(
        exercises={"wall-sit": exercise},
        muscles=load_library().muscles,
        protocols={
            "knees": LibraryProtocol(
                slug="knees",
                name="Knees",
                description="",
                items=(
                    ProtocolItem(
                        "wall-sit", Dose(sets=3, hold_seconds=45, side="each"), "Build up."
                    ),
                    ProtocolItem("wall-sit", None),
                ),
            )
        },
    )
    write_library(original, tmp_path / "export")
    assert load_library(tmp_path / "export") == original


def test_exercise_to_yaml_writes_keys_in_design_order_without_aliases(library):
    exercise = library.exercises["step-up"]
    text = exercise_to_yaml(exercise)
    keys = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert keys == [key for key in loader.EXERCISE_KEYS if key in keys]
    assert "&id" not in text and "*id" not in text
    assert "  - Place the whole of one foot on the step.\n" in text


def test_write_library_removes_exercise_files_not_in_the_library(library, tmp_path):
    target = tmp_path / "export"
    (target / "exercises").mkdir(parents=True)
    (target / "exercises" / "retired.yaml").write_text("slug: retired\n", encoding="utf-8")
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    write_library(library, target)
    assert not (target / "exercises" / "retired.yaml").exists()
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"


# --- the cache ---------------------------------------------------------------------------------


def test_load_library_returns_the_same_object_without_reading_files_again(
    library_copy, monkeypatch
):
    first = load_library(library_copy)
    reads = []
    monkeypatch.setattr(loader, "_read_yaml", lambda *args: reads.append(args))
    assert load_library(str(library_copy)) is first
    assert reads == []


def test_load_library_reloads_after_a_file_changes(library_copy):
    first = load_library(library_copy)
    path = library_copy / "exercises" / "step-up.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: Step-up", "name: Step-ups"),
        encoding="utf-8",
    )
    second = load_library(library_copy)
    assert second is not first
    assert second.exercises["step-up"].name == "Step-ups"


def test_load_library_reloads_after_a_file_is_removed(library_copy):
    first = load_library(library_copy)
    (library_copy / "exercises" / "foam-roller-quads.yaml").unlink()
    second = load_library(library_copy)
    assert "foam-roller-quads" in first.exercises and "foam-roller-quads" not in second.exercises


def test_load_library_raises_again_until_the_file_is_fixed(library_copy):
    path = library_copy / "exercises" / "step-up.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text("- broken\n", encoding="utf-8")
    for _ in range(2):
        load_problems(library_copy)
    path.write_text(good, encoding="utf-8")
    assert "step-up" in load_library(library_copy).exercises


def test_library_mappings_are_read_only(library):
    with pytest.raises(TypeError):
        library.exercises["new"] = library.exercises["step-up"]


def test_handout_snapshot_with_a_region_from_before_the_vocabulary_still_reads():
    """Snapshots issued before the body-region vocabulary keep their words and still parse."""
    from hepbuilder.domain.exercise import library_problems, parse_exercise

    old = {
        "slug": "couch-stretch",
        "name": "Couch stretch",
        "summary": "A stretch.",
        "category": "stretch",
        "body_region": "thigh and hip",
        "position": "kneeling",
        "steps": ["Kneel."],
    }
    exercise = parse_exercise(old)
    assert exercise.body_region == "thigh and hip"
    assert "body_region" in library_problems(exercise)  # but a library file may not say it


CORE_PROTOCOLS = (
    "acute-low-back-pain",
    "persistent-low-back-pain-strength",
    "hip-osteoarthritis",
    "lateral-hip-pain",
    "knee-osteoarthritis",
    "patellofemoral-pain",
    "return-to-running",
)


def test_bundled_protocols_say_whom_they_suit_and_when_to_move_on(library):
    assert set(CORE_PROTOCOLS) <= set(library.protocols)
    for protocol in library.protocols.values():
        assert protocol.conditions, protocol.slug
        assert len(protocol.progression.split()) >= 15, protocol.slug
    for slug in CORE_PROTOCOLS:
        assert 1 <= len(library.protocols[slug].items) <= 6, slug


def test_lateral_hip_pain_protocol_has_nothing_that_squeezes_the_outer_hip_and_says_why(library):
    protocol = library.protocols["lateral-hip-pain"]
    compressing = {
        "clamshell",
        "standing-tfl-stretch",
        "figure-4-stretch",
        "pigeon-stretch",
        "seated-glute-stretch",
        "foam-roller-lateral-hip",
    }
    assert not compressing & {item.exercise for item in protocol.items}
    assert "no clamshells" in protocol.description
    assert "across the body" in protocol.description and "squeeze" in protocol.description
    for item in protocol.items:  # no exercise in it warns people with this condition off
        precautions = " ".join(library.exercises[item.exercise].precautions).lower()
        assert "outer side of the hip" not in precautions, item.exercise


# The clinic article's exercises; every other bundled exercise is the core library's (#17).
ARTICLE_EXERCISES = {
    "active-90-90",
    "banded-lunge",
    "couch-stretch",
    "figure-4-stretch",
    "foam-roller-lateral-hip",
    "foam-roller-quads",
    "hip-internal-rotator-stretch",
    "massage-ball-glute-release",
    "monster-walk",
    "pigeon-stretch",
    "psoas-lunge-stretch",
    "reverse-warrior-adductor-stretch",
    "step-up",
}


def test_core_library_steps_read_at_grade_six_or_below_and_stay_short(library):
    from hepbuilder.domain.readability import reading_of

    core = [e for slug, e in library.exercises.items() if slug not in ARTICLE_EXERCISES]
    assert len(core) >= 50
    hard = [
        (exercise.slug, number, reading_of(step))
        for exercise in core
        for number, step in enumerate(exercise.steps, 1)
        if reading_of(step).too_hard or reading_of(step).too_long
    ]
    assert hard == []
