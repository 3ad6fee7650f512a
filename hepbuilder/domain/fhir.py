"""A handout as a FHIR R4 Bundle a hospital system can import (standard library only).

The Bundle (type "collection") holds the program as a CarePlan and the PDF as a
DocumentReference. The CarePlan follows the HL7 Physical Activity IG where it applies: intent
"plan", category PhysicalActivity (with US Core's assess-plan), one activity per exercise coded
SNOMED CT 229065009 "Exercise therapy", named, with its steps and dose in words and its
frequency as a Timing. The patient is a reference by identifier (the PMS's external id when the
patient has one, else hepbuilder's id), not a Patient resource: the chart already has the patient.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from .dose import Dose, describe_dose
from .spec import HandoutSpec

SNOMED = "http://snomed.info/sct"
EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy"}
PA_CATEGORY = {
    "system": "http://hl7.org/fhir/us/physical-activity/CodeSystem/pa-temporary-codes",
    "code": "PhysicalActivity",
    "display": "Physical Activity",
}
ASSESS_PLAN = {
    "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
    "code": "assess-plan",
    "display": "Assessment and Plan of Treatment",
}
PATIENT_INSTRUCTIONS = {"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class HandoutRecord:
    """What the Bundle needs besides the frozen spec: ids, addresses and the patient's identifier."""

    handout_id: int
    number: int
    issued_at: dt.datetime  # naive UTC
    base_url: str  # absolute, e.g. "https://hep.example.com/api/v1"
    pdf_url: str  # absolute
    pdf_filename: str  # the name its download gives it (services.handouts.suggested_filename)
    patient_id: int
    patient_identifier_system: str  # the PMS's id system for external ids
    patient_external_id: str | None


def _instant(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def _full_url(record: HandoutRecord, kind: str) -> str:
    name = f"{record.base_url}/handouts/{record.handout_id}/{kind}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def timing(dose: Dose) -> dict | None:
    """The dose's frequency as a FHIR Timing: times a day, on how many days a week; None when the
    dose says neither. Days a week are a count, not named days, so they become the frequency per
    week when fewer than seven."""
    times = dose.times_per_day or 1
    days = dose.days_per_week or 7
    if not dose.times_per_day and not dose.days_per_week:
        return None
    if days == 7:
        repeat = {"frequency": times, "period": 1, "periodUnit": "d", "dayOfWeek": list(WEEKDAYS)}
    else:
        repeat = {"frequency": times * days, "period": 1, "periodUnit": "wk"}
    words = describe_dose(Dose(times_per_day=dose.times_per_day, days_per_week=days))
    return {"repeat": repeat, "code": {"text": words}}


def _patient_reference(record: HandoutRecord, name: str) -> dict:
    if record.patient_external_id:
        identifier = {
            "system": record.patient_identifier_system,
            "value": record.patient_external_id,
        }
    else:
        identifier = {"system": f"{record.base_url}/patients", "value": str(record.patient_id)}
    return {"type": "Patient", "identifier": identifier, "display": name}


def _activity(item) -> dict:
    steps = "\n".join(f"{n}. {step}" for n, step in enumerate(item.exercise.steps, 1))
    description = "\n".join(
        part for part in (describe_dose(item.dose).capitalize() + ".", steps, item.notes) if part
    )
    detail = {
        "kind": "ServiceRequest",
        "code": {"coding": [EXERCISE_THERAPY], "text": item.exercise.name},
        "status": "scheduled",
        "description": description,
    }
    schedule = timing(item.dose)
    if schedule:
        detail["scheduledTiming"] = schedule
    return {"detail": detail}


def handout_bundle(spec: HandoutSpec, record: HandoutRecord) -> dict:
    """The handout as a FHIR R4 Bundle (a dict ready for JSON)."""
    subject = _patient_reference(record, spec.patient_name)
    care_plan_url = _full_url(record, "careplan")
    document_url = _full_url(record, "document")
    title = spec.title or "Home exercise program"
    care_plan = {
        "resourceType": "CarePlan",
        "identifier": [{"system": f"{record.base_url}/handouts", "value": str(record.handout_id)}],
        "status": "active",
        "intent": "plan",
        "category": [{"coding": [PA_CATEGORY]}, {"coding": [ASSESS_PLAN]}],
        "title": title,
        "subject": subject,
        "created": _instant(record.issued_at),
        "supportingInfo": [{"reference": document_url, "display": "The handout as a PDF"}],
        "activity": [_activity(item) for item in spec.items],
    }
    if spec.notes:
        care_plan["description"] = spec.notes
    if spec.issued_on:
        care_plan["period"] = {"start": spec.issued_on.isoformat()}
        if spec.review_on:
            care_plan["period"]["end"] = spec.review_on.isoformat()
    if spec.therapist_name:
        care_plan["author"] = {"display": spec.therapist_name}
    document = {
        "resourceType": "DocumentReference",
        "identifier": [
            {"system": f"{record.base_url}/handouts", "value": f"{record.handout_id}.pdf"}
        ],
        "status": "current",
        "type": {"coding": [PATIENT_INSTRUCTIONS], "text": "Home exercise program handout"},
        "category": [{"coding": [PA_CATEGORY]}],
        "subject": subject,
        "date": _instant(record.issued_at),
        "description": f"{title} (handout {record.number})",
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": record.pdf_url,
                    "title": record.pdf_filename,
                    "creation": _instant(record.issued_at),
                }
            }
        ],
        "context": {"related": [{"reference": care_plan_url}]},
    }
    if spec.therapist_name:
        document["author"] = [{"display": spec.therapist_name}]
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": f"{record.base_url}/handouts",
            "value": f"{record.handout_id}/fhir",
        },
        "type": "collection",
        "timestamp": _instant(record.issued_at),
        "entry": [
            {"fullUrl": care_plan_url, "resource": care_plan},
            {"fullUrl": document_url, "resource": document},
        ],
    }
