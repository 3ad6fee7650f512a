"""Small test-data helpers for the service tests (clinic, user, library exercises, protocols)."""

import yaml

from hepbuilder.db.models import Clinic, Exercise, ExerciseEquipment, Protocol, User
from hepbuilder.paths import LIBRARY_DIR
from hepbuilder.services.actor import Actor


def clinic_and_user(session, name="Riverside Physio", email="sam@riverside.test"):
    clinic = Clinic(slug=name.lower().replace(" ", "-"), name=name, phone="01234 567890")
    session.add(clinic)
    session.flush()
    user = User(
        clinic_id=clinic.id,
        email=email,
        name="Sam Rivera",
        credentials="DPT",
        role="therapist",
        password_hash="x",
    )
    session.add(user)
    session.flush()
    return clinic, user


def actor_for(user, remote_addr="203.0.113.9"):
    return Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role, remote_addr=remote_addr)


def library_exercise(session, clinic, slug):
    data = yaml.safe_load((LIBRARY_DIR / "exercises" / f"{slug}.yaml").read_text())
    exercise = Exercise(
        clinic_id=clinic.id,
        slug=slug,
        name=data["name"],
        summary=data["summary"],
        category=data["category"],
        body_region=data["body_region"],
        position=data["position"],
        steps=data["steps"],
        cues=data.get("cues", []),
        precautions=data.get("precautions", []),
        defaults=data.get("defaults", {}),
        search_text=slug,
        equipment_rows=[ExerciseEquipment(equipment=e) for e in data.get("equipment", [])],
    )
    session.add(exercise)
    session.flush()
    return exercise


def library(session, clinic):
    """Every bundled exercise and protocol, copied into `clinic`."""
    exercises = {
        path.stem: library_exercise(session, clinic, path.stem)
        for path in sorted((LIBRARY_DIR / "exercises").glob("*.yaml"))
    }
    for data in yaml.safe_load((LIBRARY_DIR / "protocols.yaml").read_text()):
        session.add(
            Protocol(
                clinic_id=clinic.id,
                slug=data["slug"],
                name=data["name"],
                description=data.get("description", ""),
                items=data["items"],
            )
        )
    session.flush()
    return exercises
