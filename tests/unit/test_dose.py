import pytest

from hepbuilder.domain.dose import Dose, describe_dose, dose_chips, parse_dose
from hepbuilder.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("dose", "words"),
    [
        (
            Dose(sets=2, hold_seconds=60, times_per_day=1, days_per_week=7, side="each"),
            "2 sets, hold 60 seconds, once a day, each side",
        ),
        (
            Dose(sets=3, reps=10, hold_seconds=30, times_per_day=2, side="each"),
            "3 sets of 10, hold 30 seconds, twice a day, each side",
        ),
        (
            Dose(sets=1, reps=10, times_per_day=1, days_per_week=3, side="left"),
            "1 set of 10, once a day, 3 days a week, left side only",
        ),
        (Dose(hold_seconds=180, times_per_day=3), "hold 3 minutes, 3 times a day"),
        (Dose(reps=1), "1 repetition"),
        (Dose(), "as your therapist showed you"),
    ],
)
def test_describe_dose_words_it_for_patients(dose, words):
    assert describe_dose(dose) == words


def test_dose_chips_list_each_part():
    chips = dose_chips(Dose(sets=3, reps=10, hold_seconds=2, times_per_day=1, side="right"))
    assert chips == [
        ("Sets", "3"),
        ("Reps", "10"),
        ("Hold", "2 s"),
        ("How often", "once a day"),
        ("Side", "Right only"),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sets", 0),
        ("sets", 21),
        ("reps", 101),
        ("hold_seconds", 601),
        ("times_per_day", 11),
        ("days_per_week", 8),
        ("sets", "many"),
        ("reps", True),
        ("side", "both"),
    ],
)
def test_parse_dose_rejects_out_of_range_naming_the_field(field, value):
    with pytest.raises(ValidationError) as error:
        parse_dose({field: value}, prefix="items[3].")
    assert list(error.value.fields) == [f"items[3].{field}"]


def test_parse_dose_accepts_the_limits():
    dose = parse_dose(
        {
            "sets": 20,
            "reps": 100,
            "hold_seconds": 600,
            "times_per_day": 10,
            "days_per_week": 7,
            "side": "each",
        }
    )
    assert dose == Dose(20, 100, 600, 10, 7, "each")
