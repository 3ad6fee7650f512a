"""The OpenAPI document against the implementation: schemathesis, positive and negative cases.

Generated requests that are valid by the schema are steered towards existing data where a service
rule needs it (a patient of the clinic, library slugs, a date of birth in the past), so positive
cases create real patients and programs instead of stopping at 404 or a rule's 422.
"""

import datetime as dt
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from hepbuilder.db.models import Clinic
from tests.api.conftest import make_api_client
from tests.builders import make_user

# Bounded and derandomized so the suite stays quick and repeatable; raise it for a deeper search.
EXAMPLES = int(os.environ.get("HEPBUILDER_API_FUZZ_EXAMPLES", "25"))
SLUGS = ["figure-4-stretch", "monster-walk", "step-up", "pigeon-stretch"]
PROTOCOLS = ["tight-hips-low-back-pain", "unstable-hips-trendelenburg"]


@pytest.fixture
def seeded(session, client):
    api = make_api_client(session, client)
    therapist = make_user(session, session.get(Clinic, api.clinic_id), name="Sam Rivera")
    session.commit()
    patient = api.post(
        "/api/v1/patients", json={"first_name": "Ada", "last_name": "Seed", "external_id": "S-1"}
    ).get_json()
    program = api.post(
        "/api/v1/programs",
        json={"patient_id": patient["id"], "items": [{"exercise": "step-up"}]},
    ).get_json()
    to_issue = api.post(
        "/api/v1/programs",
        json={"patient_id": patient["id"], "items": [{"exercise": "monster-walk"}]},
    ).get_json()
    handout = api.post(f"/api/v1/programs/{to_issue['id']}/handouts").get_json()
    return {
        "api": api,
        "patient": patient,
        "program": program,  # edited by the PUT cases
        "to_issue": to_issue,  # never edited, so it always has items to issue
        "handout": handout,
        "therapist_email": therapist.email,
    }


@pytest.fixture
def api_schema(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
        # The token is sent by the test itself; unknown query parameters (refused with 422) are
        # tested in test_bad_input: schemathesis can drop an extra parameter while serialising
        # it and then report the valid request that is left as "accepted negative data".
        with_security_parameters=False,
        allow_extra_parameters=False,
    )
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


def _steer(case, seeded) -> None:
    """Point a valid generated request at the seeded data, so services' rules let it through.

    Even ids go to the seeded record, odd ones stay as generated (mostly 404s). Handouts are
    always issued from `to_issue`, which nothing else may touch, so it keeps its items.
    """
    issuing = case.operation.path.endswith("/handouts")
    ids = {
        "patient_id": seeded["patient"]["id"],
        "program_id": seeded["to_issue" if issuing else "program"]["id"],
        "handout_id": seeded["handout"]["id"],
    }
    for name in list(case.path_parameters or {}):
        if name not in ids:
            continue
        value = str(case.path_parameters[name])
        if value[-1:] in "02468" or (
            name == "program_id" and (issuing or value == str(seeded["to_issue"]["id"]))
        ):
            case.path_parameters[name] = ids[name]
    body = case.body
    if not isinstance(body, dict):
        return
    if "patient_id" in body:
        body["patient_id"] = ids["patient_id"]
    if body.get("therapist_email") is not None:
        body["therapist_email"] = seeded["therapist_email"]
    if "protocol" in body:
        body["protocol"] = PROTOCOLS[len(body["protocol"]) % len(PROTOCOLS)]
    for index, item in enumerate(body.get("items") or []):
        item["exercise"] = SLUGS[index % len(SLUGS)]
    if isinstance(body.get("date_of_birth"), str):
        born = dt.date.fromisoformat(body["date_of_birth"])
        if not 1880 <= born.year or born > dt.date.today():
            body["date_of_birth"] = born.replace(year=1950 + born.year % 70).isoformat()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_openapi_document(case, seeded):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _steer(case, seeded)
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['api'].secret}"})
