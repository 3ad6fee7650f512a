import json

import pytest

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.spec import parse_spec

EXERCISE = {
    "slug": "wall-sit",
    "name": "Wall sit",
    "summary": "Sit against a wall.",
    "category": "strength",
    "body_region": "knee",
    "position": "standing",
    "steps": ["Lean on the wall.", "Slide down."],
}
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2a7ff8b0000000049454e44ae426082"
)


def test_parse_spec_names_every_bad_field():
    with pytest.raises(ValidationError) as error:
        parse_spec(
            {
                "items": [{"exercise": "nope", "sets": 40, "side": "up"}],
                "paper": "A3",
                "issued_on": "25/11/2026",
            }
        )
    assert set(error.value.fields) == {
        "patient.name",
        "items[0].exercise",
        "items[0].sets",
        "items[0].side",
        "paper",
        "issued_on",
    }


def test_parse_spec_requires_items():
    with pytest.raises(ValidationError) as error:
        parse_spec({"patient": {"name": "A"}, "items": []})
    assert "items" in error.value.fields


def test_snapshot_round_trips_without_library_or_files():
    spec = parse_spec(
        {
            "patient": {"name": "Zoë Łukasiewicz"},
            "clinic": {"name": "Clinic", "logo": "logo.png"},
            "items": [{"exercise": "wall-sit", "sets": 2, "change": "new"}],
            "stopped": ["Bridge"],
        },
        resolve={
            "wall-sit": parse_spec(
                {"patient": {"name": "x"}, "items": [{"exercise": EXERCISE, "sets": 1}]}
            )
            .items[0]
            .exercise
        }.get,
        load_file=lambda name: PNG_1PX,
    )
    snapshot = json.loads(json.dumps(spec.to_dict()))
    assert snapshot["clinic"]["logo"].startswith("data:image/png;base64,")
    assert snapshot["items"][0]["exercise"]["name"] == "Wall sit"
    assert parse_spec(snapshot) == spec


def test_parse_spec_rejects_a_logo_that_is_not_an_image():
    with pytest.raises(ValidationError) as error:
        parse_spec(
            {
                "patient": {"name": "A"},
                "clinic": {"logo": "x.png"},
                "items": [{"exercise": EXERCISE, "sets": 1}],
            },
            load_file=lambda name: b"not an image",
        )
    assert list(error.value.fields) == ["clinic.logo"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [("José Núñez", "jose nunez"), ("Ødegård", "odegard"), ("Zoë  Łukasiewicz", "zoe lukasiewicz")],
)
def test_fold_ignores_case_and_accents(text, folded):
    from hepbuilder.domain.text import fold

    assert fold(text) == folded
