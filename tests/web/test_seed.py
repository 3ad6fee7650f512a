"""Seeding a clinic's library: idempotent, updates what the clinic has not edited, all-or-nothing."""

import shutil

import pytest
import yaml
from sqlalchemy import func, select

from hepbuilder import paths
from hepbuilder.db.models import Exercise, ExerciseEquipment, ExerciseTarget, Muscle, Protocol
from hepbuilder.library import LibraryError
from hepbuilder.services.exercises import get_exercise, search_exercises
from hepbuilder.services.library_sync import (
    export_library,
    import_library,
    load_bundled_library,
    seed_all,
    seed_clinic,
)
from tests.builders import make_clinic, see_committed


def table_snapshot(session):
    """Every library row of every clinic, as comparable tuples."""
    return {
        "exercises": sorted(
            session.execute(
                select(
                    Exercise.clinic_id,
                    Exercise.slug,
                    Exercise.name,
                    Exercise.library_hash,
                    Exercise.search_text,
                )
            ).all()
        ),
        "targets": sorted(
            session.execute(
                select(
                    ExerciseTarget.exercise_id, ExerciseTarget.muscle_id, ExerciseTarget.position
                )
            ).all()
        ),
        "equipment": sorted(
            session.execute(
                select(ExerciseEquipment.exercise_id, ExerciseEquipment.equipment)
            ).all()
        ),
        "muscles": sorted(
            session.execute(select(Muscle.clinic_id, Muscle.slug, Muscle.name)).all()
        ),
        "protocols": sorted(
            session.execute(select(Protocol.clinic_id, Protocol.slug, Protocol.library_hash)).all()
        ),
    }


@pytest.fixture
def library_copy(tmp_path):
    target = tmp_path / "library"
    shutil.copytree(paths.LIBRARY_DIR, target)
    return target


def edit_yaml(path, **changes):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_seed_is_idempotent(session):
    library = load_bundled_library()
    clinic = make_clinic(session)
    first = seed_clinic(session, clinic, library)
    assert sorted(first.added) == sorted(library.exercises)
    session.commit()
    before = table_snapshot(session)

    second = seed_clinic(session, clinic, library)
    session.commit()
    assert second.added == [] and second.updated == []
    assert sorted(second.unchanged) == sorted(library.exercises)
    assert table_snapshot(session) == before


def test_seed_all_covers_every_clinic_and_nothing_without_one(session):
    library = load_bundled_library()
    assert seed_all(session, library) == {}
    assert session.scalar(select(func.count()).select_from(Exercise)) == 0
    first, second = make_clinic(session), make_clinic(session)
    results = seed_all(session, library)
    assert set(results) == {first.slug, second.slug}
    assert session.scalar(select(func.count()).select_from(Exercise)) == 2 * len(library.exercises)


def test_seed_updates_edited_entries_but_keeps_the_clinics_own(session, library_copy):
    clinic = make_clinic(session)
    seed_clinic(session, clinic, load_bundled_library(library_copy))
    customized = get_exercise(session, clinic.id, "pigeon-stretch")
    customized.name = "Our pigeon"
    customized.is_customized = True
    session.commit()

    edit_yaml(
        library_copy / "exercises" / "figure-4-stretch.yaml",
        summary="A new summary mentioning quokkas.",
        equipment=["mat", "towel"],
    )
    edit_yaml(
        library_copy / "exercises" / "pigeon-stretch.yaml",
        summary="Bundled change the clinic never sees.",
    )
    result = seed_clinic(session, clinic, load_bundled_library(library_copy))
    session.commit()

    assert result.updated == ["figure-4-stretch"]
    assert result.kept_customized == ["pigeon-stretch"]
    see_committed(session)
    updated = get_exercise(session, clinic.id, "figure-4-stretch")
    assert updated.summary == "A new summary mentioning quokkas."
    assert updated.equipment == ["mat", "towel"]
    assert [e.slug for e in search_exercises(session, clinic.id, q="QUOKKAS")] == [
        "figure-4-stretch"
    ]
    kept = get_exercise(session, clinic.id, "pigeon-stretch")
    assert (kept.name, kept.is_customized) == ("Our pigeon", True)
    assert kept.summary != "Bundled change the clinic never sees."


def test_seed_adds_a_new_library_file(session, library_copy):
    clinic = make_clinic(session)
    seed_clinic(session, clinic, load_bundled_library(library_copy))
    source = library_copy / "exercises" / "step-up.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data.update(slug="high-step-up", name="High step-up")
    (library_copy / "exercises" / "high-step-up.yaml").write_text(
        yaml.safe_dump(data), encoding="utf-8"
    )
    result = seed_clinic(session, clinic, load_bundled_library(library_copy))
    assert result.added == ["high-step-up"]


def test_malformed_library_names_file_and_field_and_loads_nothing(session, library_copy):
    edit_yaml(library_copy / "exercises" / "monster-walk.yaml", category="cardio")
    with pytest.raises(LibraryError) as caught:
        load_bundled_library(library_copy)
    assert "exercises/monster-walk.yaml" in str(caught.value)
    assert "category" in str(caught.value)


def test_export_then_import_round_trips(session):
    library = load_bundled_library()
    clinic = make_clinic(session)
    seed_clinic(session, clinic, library)
    exported = export_library(session, clinic.id)
    assert dict(exported.exercises) == dict(library.exercises)
    assert dict(exported.muscles) == dict(library.muscles)
    assert dict(exported.protocols) == dict(library.protocols)

    other = make_clinic(session)
    import_library(session, other, exported)
    again = export_library(session, other.id)
    assert dict(again.exercises) == dict(library.exercises)
    assert dict(again.protocols) == dict(library.protocols)


def test_import_marks_changed_entries_as_the_clinics_own(session, library_copy):
    clinic = make_clinic(session)
    seed_clinic(session, clinic, load_bundled_library())
    edit_yaml(library_copy / "exercises" / "step-up.yaml", name="Step-up (our way)")
    result = import_library(session, clinic, load_bundled_library(library_copy))
    assert result.updated == ["step-up"]
    row = get_exercise(session, clinic.id, "step-up")
    assert (row.name, row.is_customized) == ("Step-up (our way)", True)
    assert not get_exercise(session, clinic.id, "figure-4-stretch").is_customized
    # a later seed leaves the clinic's version alone
    assert seed_clinic(session, clinic, load_bundled_library()).kept_customized == ["step-up"]


def clinic_library(session, clinic_id: int) -> dict[str, list]:
    """Every library row of one clinic, every column but ids and time stamps, the ids they point
    to given as slugs."""
    from sqlalchemy import DateTime

    from hepbuilder.db.models import Base

    tables = Base.metadata.tables
    slugs = {
        name: dict(session.execute(select(tables[name].c.id, tables[name].c.slug)).all())
        for name in ("exercise", "muscle")
    }
    found = {}
    for name in ("muscle", "exercise", "protocol", "exercise_target", "exercise_equipment"):
        table = tables[name]
        owner = table.c.clinic_id if "clinic_id" in table.c else None
        query = select(table)
        if owner is None:
            query = query.join(tables["exercise"]).where(
                tables["exercise"].c.clinic_id == clinic_id
            )
        else:
            query = query.where(owner == clinic_id)
        rows = []
        for row in session.execute(query).mappings():
            row = {
                key: value
                for key, value in row.items()
                if key not in ("id", "clinic_id") and not isinstance(table.c[key].type, DateTime)
            }
            for key, target in (("exercise_id", "exercise"), ("muscle_id", "muscle")):
                if key in row:
                    row[key] = slugs[target][row[key]]
            rows.append(sorted(row.items(), key=lambda item: item[0]))
        found[name] = sorted(repr(row) for row in rows)
    return found


def test_seeded_clinic_of_the_tests_has_the_rows_seeding_makes(session):
    """tests.builders.seeded_clinic copies the rows of the process's first seed."""
    from hepbuilder.services.illustration_paths import PATHS
    from tests.builders import seeded_clinic

    first = seeded_clinic(session)  # seeded, or copied if this process seeded before
    session.execute(PATHS.delete())
    copied = seeded_clinic(session)  # copied, and stores its poses' paths again
    paths = session.execute(select(PATHS)).all()
    seeded = make_clinic(session)
    seed_clinic(session, seeded, load_bundled_library())
    assert session.execute(select(PATHS)).all() == paths  # every pose's paths stored already
    expected = clinic_library(session, seeded.id)
    assert len(expected["exercise"]) == len(load_bundled_library().exercises)
    assert clinic_library(session, copied.id) == expected
    assert clinic_library(session, first.id) == expected
