"""A real S3-compatible server for the PDF store's tests: moto's server on a free port of
127.0.0.1, started once for this folder, and a fresh bucket per test. Skipped, with the reason,
where moto or boto3 cannot be imported (`pip install -e '.[test]'` brings both): the test
modules call `needs_moto_and_boto3()` at import, which skips them whole."""

import socket
import uuid
from dataclasses import dataclass

import pytest


def needs_moto_and_boto3() -> tuple:
    """(moto.server, boto3), or the calling test module or fixture is skipped, saying why."""
    moto_server = pytest.importorskip(
        "moto.server",
        reason="moto cannot be imported: the S3 store tests need its server",
        exc_type=ImportError,
    )
    boto3 = pytest.importorskip(
        "boto3", reason="boto3 cannot be imported (pip install '.[s3]')", exc_type=ImportError
    )
    return moto_server, boto3


KEY_PREFIX = "hb"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="package")
def s3_endpoint():
    """The address of a moto S3 server running in this process until the folder's tests end."""
    moto_server, _boto3 = needs_moto_and_boto3()
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Bucket:
    """One test's bucket on the server, with a boto3 client to look at it directly."""

    endpoint: str
    name: str
    client: object

    @property
    def overrides(self) -> dict:
        """The app settings (app.config overrides) of a PDF store in this bucket."""
        return {
            "PDF_STORE": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": self.name,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "test-key-id",
            "S3_SECRET_ACCESS_KEY": "test-secret",
            "S3_KEY_PREFIX": KEY_PREFIX,
        }

    @property
    def environment(self) -> dict:
        return {f"HEPBUILDER_{name}": value for name, value in self.overrides.items()}

    def key(self, clinic_id: int, pdf_sha256: str) -> str:
        return f"{KEY_PREFIX}/{clinic_id}/{pdf_sha256}.pdf"

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(scope="package")
def s3_client(s3_endpoint):
    """One boto3 client for the tests to look at the server with (a new session reads botocore's
    service models again, about 0.3 s a test)."""
    _moto_server, boto3 = needs_moto_and_boto3()
    return boto3.session.Session().client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key-id",
        aws_secret_access_key="test-secret",
    )


@pytest.fixture
def bucket(s3_endpoint, s3_client) -> Bucket:
    client = s3_client
    name = f"hb-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(endpoint=s3_endpoint, name=name, client=client)


@pytest.fixture
def s3_app(db_url, tmp_path, monkeypatch, bucket):
    """The app (CSRF off, as the `app` fixture) writing new handouts' PDFs to `bucket`."""
    from tests.conftest import _test_app

    return _test_app(db_url, tmp_path / "instance", monkeypatch, **bucket.overrides)
