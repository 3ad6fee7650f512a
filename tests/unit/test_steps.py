"""Steps that agree with the dose: placeholders filled from it, and the loader's refusals."""

import pytest

from hepbuilder.domain.dose import Dose, describe_change
from hepbuilder.domain.emergency import urgent_help
from hepbuilder.domain.exercise import dose_for, parse_exercise
from hepbuilder.domain.spec import parse_spec
from hepbuilder.domain.steps import step_problems, steps_for_dose
from tests.handout_specs import make_exercise

STEPS = (
    "Stand tall.",
    "Hold the position {hold}, breathing steadily.",
    "[each side] Then swap to the other side.",
)


def test_steps_for_dose_fill_the_hold_and_keep_each_side_steps_for_each_side_only():
    each = steps_for_dose(STEPS, Dose(sets=1, hold_seconds=45, side="each"))
    assert each == (
        "Stand tall.",
        "Hold the position for 45 seconds, breathing steadily.",
        "Then swap to the other side.",
    )
    left = steps_for_dose(STEPS, Dose(sets=1, hold_seconds=120, side="left"))
    assert left == ("Stand tall.", "Hold the position for 2 minutes, breathing steadily.")


@pytest.mark.parametrize(
    ("step", "defaults", "problem"),
    [
        ("Hold for the time shown.", Dose(hold_seconds=30), "names the hold in words"),
        ("Hold it {hold}.", Dose(reps=10), "default dose has no hold_seconds"),
        ("Rest, then do the other side.", Dose(reps=10, side="each"), "switches sides"),
        ("[each side] Swap sides.", Dose(reps=10, side="none"), "is not each side"),
        ("Count {reps} times.", Dose(reps=10), "unknown placeholder {reps}"),
    ],
)
def test_step_problems_refuse_steps_that_could_contradict_the_dose(step, defaults, problem):
    problems = step_problems(("Stand tall.", step), defaults)
    assert list(problems) == ["steps[1]"]
    assert problem in problems["steps[1]"]


def test_library_loader_refuses_a_step_naming_the_hold_in_words(tmp_path):
    import shutil

    from hepbuilder import paths
    from hepbuilder.library.loader import LibraryError, load_library

    shutil.copytree(paths.LIBRARY_DIR, tmp_path / "library")
    path = tmp_path / "library" / "exercises" / "step-up.yaml"
    path.write_text(path.read_text().replace("{hold}", "for the time shown"))
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path / "library")
    assert "exercises/step-up.yaml: steps[4]: names the hold in words" in str(caught.value)


def test_item_without_amounts_takes_the_exercises_default_dose():
    exercise = parse_exercise(make_exercise(1, defaults={"sets": 2, "hold_seconds": 30}))
    dose = dose_for(exercise, Dose(times_per_day=2, side="left"))
    assert dose == Dose(sets=2, hold_seconds=30, times_per_day=2, side="left")


def test_item_for_steps_that_print_a_hold_takes_the_default_hold():
    exercise = parse_exercise(
        make_exercise(1, steps=["Hold it {hold}."], defaults={"reps": 5, "hold_seconds": 3})
    )
    assert dose_for(exercise, Dose(reps=8)).hold_seconds == 3


def test_parse_spec_refuses_an_item_with_no_dose_at_all_naming_the_field():
    from hepbuilder.domain.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_spec(
            {"patient": {"name": "A"}, "items": [{"exercise": make_exercise(1), "side": "each"}]}
        )
    assert list(caught.value.fields) == ["items[0].sets"]


def test_describe_change_says_what_the_dose_was_and_is():
    was = Dose(sets=2, hold_seconds=30, times_per_day=1, side="each")
    now = Dose(sets=3, hold_seconds=45, times_per_day=1, side="each")
    assert describe_change(was, now) == "was 2 sets, hold 30 seconds; now 3 sets, hold 45 seconds"
    assert describe_change(Dose(reps=10, side="left"), Dose(reps=10, side="right")) == (
        "was left side only; now right side only"
    )


@pytest.mark.parametrize(
    ("country", "number"), [("GB", "999"), ("US", "911"), ("DE", "112"), ("FR", "112"), ("", "")]
)
def test_urgent_help_defaults_from_the_clinics_country(country, number):
    assert urgent_help(country).emergency_number == number
    assert urgent_help(country, "000 ext 2", "Ring the ward.") == urgent_help(
        "ZZ", "000 ext 2", "Ring the ward."
    )


def test_spec_round_trips_the_clinics_urgent_help_and_an_items_previous_dose():
    data = {
        "patient": {"name": "A"},
        "clinic": {"name": "C", "country": "gb", "emergency_number": "999", "out_of_hours": "111"},
        "items": [
            {"exercise": make_exercise(1), "sets": 3, "change": "dose-changed", "was": {"sets": 2}}
        ],
    }
    spec = parse_spec(data)
    assert (spec.clinic.country, spec.items[0].was) == ("GB", Dose(sets=2))
    assert parse_spec(spec.to_dict()) == spec
