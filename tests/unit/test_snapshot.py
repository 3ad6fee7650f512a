"""A handout's snapshot splits into its own fields and shared parts by hash, and joins back exactly."""

import base64
import json

import pytest

from hepbuilder.domain.snapshot import (
    BRAND,
    EXERCISE,
    LOGO,
    PART_KEY,
    SnapshotError,
    join_snapshot,
    part_hash,
    references,
    split_spec,
)
from hepbuilder.domain.spec import parse_spec
from tests.handout_specs import make_exercise, make_item, make_spec

LOGO_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def snapshot_form(**overrides) -> dict:
    """A spec in the form an issued handout stores it: exercises inline, the logo a data: URI."""
    spec = make_spec(items=3, **overrides)
    spec["clinic"]["logo"] = "data:image/png;base64," + base64.b64encode(LOGO_PNG).decode()
    return parse_spec(spec).to_dict()


def from_parts(parts):
    return lambda hashes: {digest: parts[digest] for digest in hashes if digest in parts}


def test_split_spec_leaves_only_the_handouts_own_fields_and_references():
    spec = snapshot_form(notes="Warm up with a short walk first.")
    snapshot, parts = split_spec(spec)
    text = json.dumps(snapshot, ensure_ascii=False)
    assert "Pat Example" in text and "Warm up with a short walk first." in text
    assert "Lie on your back" not in text  # the exercises' steps live in parts
    assert "Harbour Physio" not in text and "base64" not in text  # so do the brand and logo
    assert snapshot["clinic"] == {PART_KEY: snapshot["clinic"][PART_KEY]}
    assert [item["sets"] for item in snapshot["items"]] == [3, 3, 3]
    kinds = sorted(kind for kind, _body in parts.values())
    assert kinds == [BRAND, EXERCISE, EXERCISE, EXERCISE, LOGO]
    assert all(part_hash(body) == digest for digest, (_kind, body) in parts.items())
    assert parts[snapshot["clinic"][PART_KEY]][0] == BRAND
    assert references(snapshot) == {snapshot["clinic"][PART_KEY]} | {
        item["exercise"][PART_KEY] for item in snapshot["items"]
    }
    assert LOGO_PNG in [body for kind, body in parts.values() if kind == LOGO]


def test_join_snapshot_gives_back_the_spec_exactly_key_order_and_all():
    spec = snapshot_form()
    snapshot, parts = split_spec(spec)
    joined = join_snapshot(snapshot, from_parts(parts))
    assert json.dumps(joined, ensure_ascii=False) == json.dumps(spec, ensure_ascii=False)
    assert parse_spec(joined) == parse_spec(spec)


def test_split_spec_names_the_same_exercise_brand_and_logo_the_same_way_in_every_handout():
    first, first_parts = split_spec(snapshot_form())
    second, second_parts = split_spec(
        snapshot_form(patient={"name": "Another Patient"}, notes="Other notes")
    )
    assert first["clinic"] == second["clinic"]
    assert [i["exercise"] for i in first["items"]] == [i["exercise"] for i in second["items"]]
    assert first_parts == second_parts
    assert first != second


def test_split_spec_stores_an_inline_exercise_whole_whatever_it_holds():
    photo = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff" + b"1" * 300).decode()
    exercise = make_exercise(1, photos=[photo], anything_new={"nested": [1, 2.5, None]})
    snapshot, parts = split_spec(
        {"patient": {"name": "P"}, "items": [make_item(1) | {"exercise": exercise}]}
    )
    digest = snapshot["items"][0]["exercise"][PART_KEY]
    assert json.loads(parts[digest][1]) == exercise
    assert join_snapshot(snapshot, from_parts(parts))["items"][0]["exercise"] == exercise


def test_split_spec_keeps_inline_a_logo_it_could_not_give_back_byte_for_byte():
    odd = "data:image/jpeg;base64," + base64.b64encode(LOGO_PNG).decode()  # PNG labelled JPEG
    spec = {"clinic": {"name": "C", "logo": odd}, "patient": {"name": "P"}, "items": []}
    snapshot, parts = split_spec(spec)
    assert [kind for kind, _ in parts.values()] == [BRAND]
    assert json.loads(next(iter(parts.values()))[1])["logo"] == odd
    assert join_snapshot(snapshot, from_parts(parts)) == spec


def test_join_snapshot_reads_an_inline_snapshot_and_an_erased_one_as_they_are():
    spec = snapshot_form()
    assert join_snapshot(spec, from_parts({})) == spec
    assert join_snapshot({}, from_parts({})) == {}
    assert split_spec({}) == ({}, {})


def test_join_snapshot_refuses_a_missing_or_damaged_part():
    snapshot, parts = split_spec(snapshot_form())
    missing = dict(parts)
    missing.pop(next(d for d, (kind, _) in parts.items() if kind == LOGO))
    with pytest.raises(SnapshotError, match="missing"):
        join_snapshot(snapshot, from_parts(missing))
    damaged = {d: (kind, body + b" ") for d, (kind, body) in parts.items()}
    with pytest.raises(SnapshotError, match="damaged"):
        join_snapshot(snapshot, from_parts(damaged))
