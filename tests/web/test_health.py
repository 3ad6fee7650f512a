"""Health checks a load balancer can use: /healthz while the process answers, /readyz only when
the database answers with the current schema; open to anyone, never cached, no cookie."""

import logging

import pytest
import sqlalchemy as sa

from hepbuilder.db.migrate import head_revision, upgrade


def checks(client, path: str):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_health_and_readiness_answer_ok_without_signing_in(client):
    assert checks(client, "/healthz") == (200, {"status": "ok"})
    assert checks(client, "/readyz") == (200, {"status": "ok", "database": "ok", "schema": "ok"})


@pytest.fixture
def app_on(tmp_path, monkeypatch):
    """An app on a database of the test's choosing (a file of its own, on SQLite)."""
    from tests.conftest import _test_app

    return lambda url: _test_app(url, tmp_path / "instance", monkeypatch)


def test_readiness_fails_until_the_database_is_upgraded(app_on, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    client = app_on(url).test_client()
    assert checks(client, "/readyz") == (
        503,
        {
            "status": "not ready",
            "database": "ok",
            "schema": "not created: run hepbuilder db upgrade",
        },
    )
    assert checks(client, "/healthz")[0] == 200  # alive all the same: nothing to restart
    upgrade(url, "0022")
    assert checks(client, "/readyz")[1]["schema"] == "not current: run hepbuilder db upgrade"
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == (
            head_revision()
        )
    engine.dispose()
    assert checks(client, "/readyz")[0] == 200


def test_readiness_fails_when_the_database_does_not_answer(app_on, tmp_path, caplog):
    missing = tmp_path / "no such folder" / "hep.db"
    client = app_on(f"sqlite:///{missing}").test_client()
    with caplog.at_level(logging.WARNING):
        status, body = checks(client, "/readyz")
    assert (status, body["database"], body["schema"]) == (503, "not answering", "unknown")
    assert "readiness: the database does not answer (OperationalError)" in caplog.text
    assert "no such folder" not in caplog.text  # the error's class, not its message
