"""API test fixtures: a seeded clinic, a token for it, and a client that sends the token."""

from dataclasses import dataclass

import pytest

from tests.builders import make_token, seeded_clinic
from tests.conftest import WorldOnce


@dataclass
class ApiClient:
    """The Flask test client with `Authorization: Bearer <secret>` on every request."""

    client: object
    secret: str
    clinic_id: int
    token_id: int

    def _headers(self, headers: dict | None) -> dict:
        return {"Authorization": f"Bearer {self.secret}", **(headers or {})}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, **kwargs):
        return self.client.post(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def put(self, path: str, **kwargs):
        return self.client.put(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, path: str, **kwargs):
        return self.client.patch(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


def make_api_client(session, client, clinic=None, scopes=("programs",)) -> ApiClient:
    clinic = clinic or seeded_clinic(session)
    token, secret = make_token(session, clinic, scopes=scopes)
    session.commit()
    return ApiClient(client=client, secret=secret, clinic_id=clinic.id, token_id=token.id)


def _api_world(app, session, clients) -> dict:
    api = make_api_client(session, None)
    return {"secret": api.secret, "clinic_id": api.clinic_id, "token_id": api.token_id}


API_WORLD = WorldOnce(_api_world)


@pytest.fixture
def api(app, session, client) -> ApiClient:
    """A client acting with a fresh token of a fresh clinic that has the bundled library (made
    once per worker on SQLite and put back for each test, tests/conftest.py WorldOnce)."""
    return ApiClient(client=client, **API_WORLD(app, session, {}))


PATIENT = {"external_id": "PMS-1", "first_name": "Zoë", "last_name": "Łukasiewicz"}


@pytest.fixture
def patient(api) -> dict:
    response = api.post("/api/v1/patients", json=PATIENT)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def program(api, patient) -> dict:
    body = {
        "patient_id": patient["id"],
        "title": "Hip mobility",
        "items": [
            {"exercise": "figure-4-stretch", "sets": 2, "hold_seconds": 60, "side": "each"},
            {"exercise": "monster-walk"},
        ],
    }
    response = api.post("/api/v1/programs", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()
