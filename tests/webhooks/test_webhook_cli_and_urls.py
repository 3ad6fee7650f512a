"""`hepbuilder webhook create` prints the signing secret once; the address rules."""

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hepbuilder.cli import main
from hepbuilder.db.models import WebhookEndpoint
from hepbuilder.domain.errors import ValidationError
from hepbuilder.services import webhooks
from tests.builders import seeded_clinic
from tests.webhooks.conftest import WEBHOOK_KEY


def cli(db_url, *args):
    env = {"HEPBUILDER_DATABASE_URL": db_url, "HEPBUILDER_WEBHOOK_KEY": WEBHOOK_KEY}
    return CliRunner().invoke(main, ["webhook", "create", *args], env=env)


def test_cli_webhook_create_prints_the_secret_once(session, db_url):
    clinic = seeded_clinic(session)
    session.commit()

    result = cli(
        db_url,
        "--url", "https://pms.example/hooks",
        "--event", "handout.issued",
        "--event", "patient.erased",
        "--clinic", clinic.slug,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    [secret] = result.stdout.splitlines()
    assert secret.startswith("whsec_")
    assert "cannot be shown again" in result.stderr
    endpoint = session.scalar(select(WebhookEndpoint))
    assert endpoint.events == ["handout.issued", "patient.erased"]
    assert webhooks.signing_secret(WEBHOOK_KEY, endpoint) == secret
    assert secret not in repr([getattr(endpoint, c.key) for c in WebhookEndpoint.__table__.c])


def test_cli_webhook_create_subscribes_every_event_by_default(session, db_url):
    seeded_clinic(session)
    session.commit()

    assert cli(db_url, "--url", "http://localhost:8080/hooks").exit_code == 0

    assert session.scalar(select(WebhookEndpoint)).events == list(webhooks.EVENTS)


def test_cli_webhook_create_refuses_a_bad_address_in_one_sentence(session, db_url):
    seeded_clinic(session)
    session.commit()

    result = cli(db_url, "--url", "http://pms.example/hooks")
    unknown = cli(db_url, "--url", "https://pms.example/hooks", "--event", "handout.deleted")

    assert result.exit_code == 1 and "plain http:// is only for this computer" in result.output
    assert unknown.exit_code == 1 and "Choose one or more of: handout.issued" in unknown.output
    assert "Traceback" not in result.output + unknown.output
    assert session.scalar(select(WebhookEndpoint)) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://pms.example/hooks",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://pms.example/hooks",
        "http://10.0.0.5/hooks",
        "https://user:pw@pms.example/hooks",
        "https://:pw@pms.example/hooks",
        "https://pms.example/" + "a" * 2000,
        "https://169.254.169.254/latest",
        "https://[fe80::1]/hooks",
        "https://2852039166/latest",  # 169.254.169.254 as one number
        "https://[::ffff:169.254.169.254]/latest",
        "https://0.0.0.0/hooks",
        "https://pms.example:99999/hooks",
        "https://pms.example/hooks\r\nX: y",
        "https:///hooks",
        "https://pms.example/hooks#part",
        "",
    ],
)
def test_webhook_address_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        webhooks.check_url(url)
    assert "url" in refused.value.fields


@pytest.mark.parametrize(
    "url",
    [
        "https://pms.example/hooks?clinic=7",
        "https://192.168.1.20:8443/hooks",  # a clinic's PMS on its own network
        "http://127.0.0.1:8080/hooks",
        "http://127.5.0.1/hooks",
        "http://localhost/hooks",
        "http://[::1]:9000/hooks",
    ],
)
def test_webhook_address_is_accepted(url):
    assert webhooks.check_url(f"  {url} ") == url
