"""Where an issued handout's PDF bytes live: the port `PdfStore` and its two adapters.

`DatabasePdfStore` (the default) keeps them in the handout row's deferred `pdf` column, as
before there was a choice: a download is the one query that loads the row with its PDF.
`S3PdfStore` keeps them as an object in an S3-compatible bucket, named by content:
`<prefix>/<clinic_id>/<pdf_sha256>.pdf` (no patient data in a key), sent with its SHA-256 so
the server refuses a damaged upload, and checked against `pdf_sha256` when read back. The row's
`pdf_store` column says which adapter holds its PDF, so rows written before a deployment
switched stores are still read from where they are.

An object is written before the row that names it is committed (the caller flushes, the view
commits): a rollback leaves at most an orphan object, never a row without its PDF. Writing the
same key again writes the same bytes, so a retried put is harmless.
"""

import base64
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from hepbuilder.config import PdfStoreSettings
from hepbuilder.db.models import Handout
from hepbuilder.domain.errors import Unavailable

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "This handout's PDF cannot be read from the file store right now. Please try again later; "
    "if it keeps happening, tell the clinic's administrator."
)
UNSTORED_MESSAGE = (
    "The handout's PDF could not be saved to the file store, so nothing was issued. "
    "Please try again in a moment."
)
UNDELETED_MESSAGE = "The S3 store did not delete an erased patient's PDF; it will be tried again."
S3_TIMEOUT_SECONDS = 10
S3_ATTEMPTS = 3


class PdfStore(Protocol):
    """Keeps a handout's PDF bytes. `name` is what the row's `pdf_store` column records."""

    name: str

    def write(self, clinic_id: int, pdf: bytes) -> dict:
        """Keep `pdf`, a new handout's of the clinic; the handout row's columns that say where
        it is (`pdf`, `pdf_sha256`, `pdf_store`), to give the row when it is made."""

    def read(self, handout: Handout) -> bytes:
        """The handout's PDF bytes, exactly as issued (Unavailable when they cannot be had)."""

    def delete(self, clinic_id: int, pdf_sha256: str) -> None:
        """Forget the PDF with this content in the clinic (nothing to do when it is gone)."""


class DatabasePdfStore:
    """The PDF in the handout row's `pdf` column (deferred: loaded only when read)."""

    name = "database"

    def write(self, clinic_id: int, pdf: bytes) -> dict:
        return {"pdf": pdf, "pdf_sha256": hashlib.sha256(pdf).hexdigest(), "pdf_store": self.name}

    def read(self, handout: Handout) -> bytes:
        return handout.pdf

    def delete(self, clinic_id: int, pdf_sha256: str) -> None:
        """Nothing: erasing a patient empties the rows themselves."""


def _reason(error: Exception) -> str:
    """An S3 error's code ("NoSuchKey", "AccessDenied") or class name: never a body or a URL."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "") or error.__class__.__name__)
    return error.__class__.__name__


def object_key(prefix: str, clinic_id: int, pdf_sha256: str) -> str:
    """`<prefix>/<clinic_id>/<sha256>.pdf` (no prefix: `<clinic_id>/<sha256>.pdf`)."""
    name = f"{int(clinic_id)}/{pdf_sha256}.pdf"
    return f"{prefix}/{name}" if prefix else name


@dataclass
class S3PdfStore:
    """The PDF as an object in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...); the row's
    `pdf` column holds no bytes (b"")."""

    settings: PdfStoreSettings
    name: str = "s3"
    _client: object = field(default=None, init=False, repr=False)

    @property
    def client(self):
        """The boto3 S3 client, made on first use (boto3 is imported only then)."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=S3_TIMEOUT_SECONDS,
                read_timeout=S3_TIMEOUT_SECONDS,
                retries={"max_attempts": S3_ATTEMPTS, "mode": "standard"},
                # A custom endpoint (MinIO, a test server) is addressed by path, not by a
                # bucket subdomain its DNS does not have.
                s3={"addressing_style": "path" if self.settings.endpoint_url else "auto"},
            )
            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.settings.endpoint_url or None,
                region_name=self.settings.region or None,
                aws_access_key_id=self.settings.access_key_id or None,
                aws_secret_access_key=self.settings.secret_access_key or None,
                config=config,
            )
        return self._client

    def key(self, clinic_id: int, pdf_sha256: str) -> str:
        return object_key(self.settings.key_prefix, clinic_id, pdf_sha256)

    def write(self, clinic_id: int, pdf: bytes) -> dict:
        return {"pdf": b"", "pdf_sha256": self.put(clinic_id, pdf), "pdf_store": self.name}

    def read(self, handout: Handout) -> bytes:
        return self.get(handout.clinic_id, handout.pdf_sha256, handout_id=handout.id)

    def put(self, clinic_id: int, pdf: bytes) -> str:
        """Write `pdf` as the clinic's object named by its SHA-256 (returned, in hex)."""
        from botocore.exceptions import BotoCoreError, ClientError

        digest = hashlib.sha256(pdf)
        key = self.key(clinic_id, digest.hexdigest())
        try:
            self.client.put_object(
                Bucket=self.settings.bucket,
                Key=key,
                Body=pdf,
                ContentType="application/pdf",
                ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),
            )
        except (BotoCoreError, ClientError) as error:
            log.error("The PDF object %s could not be written (%s)", key, _reason(error))
            raise Unavailable(UNSTORED_MESSAGE) from None
        return digest.hexdigest()

    def get(self, clinic_id: int, pdf_sha256: str, *, handout_id: int | None = None) -> bytes:
        """The clinic's object `pdf_sha256`, checked against that SHA-256 (Unavailable, logged
        by handout id and key, when it is missing, unreadable or different)."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(clinic_id, pdf_sha256)
        try:
            answer = self.client.get_object(Bucket=self.settings.bucket, Key=key)
            pdf = answer["Body"].read()
        except (BotoCoreError, ClientError) as error:
            log.error(
                "Handout %s: its PDF object %s could not be read (%s)",
                handout_id,
                key,
                _reason(error),
            )
            raise Unavailable(UNAVAILABLE_MESSAGE) from None
        if hashlib.sha256(pdf).hexdigest() != pdf_sha256:
            log.error(
                "Handout %s: its PDF object %s does not match the SHA-256 recorded at issue",
                handout_id,
                key,
            )
            raise Unavailable(UNAVAILABLE_MESSAGE)
        return pdf

    def delete(self, clinic_id: int, pdf_sha256: str) -> None:
        """Delete the clinic's object `pdf_sha256` (deleting a missing one is not an error in S3;
        Unavailable, logged by key, when the store refuses or cannot be reached)."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(clinic_id, pdf_sha256)
        try:
            self.client.delete_object(Bucket=self.settings.bucket, Key=key)
        except (BotoCoreError, ClientError) as error:
            log.error("The PDF object %s could not be deleted (%s)", key, _reason(error))
            raise Unavailable(UNDELETED_MESSAGE) from None


DATABASE_STORE = DatabasePdfStore()


@dataclass
class PdfStores:
    """The adapters a process can read from, and the one new handouts are written to.

    Kept in the session's `info` (`SESSION_INFO_KEY`, set where the session factory is made:
    `session_factory(url, info=...)`), so every service reaching a PDF through its session uses
    the deployment's stores. A session without it has the database store only.
    """

    writing: PdfStore = DATABASE_STORE
    s3: S3PdfStore | None = None

    def for_row(self, handout: Handout) -> PdfStore:
        """The adapter that holds this row's PDF (Unavailable for an S3 row with no S3 store,
        or a store this version does not know)."""
        if handout.pdf_store == "s3":
            if self.s3 is None:
                log.error(
                    "Handout %s: its PDF is in the S3 store, which is not set up "
                    "(HEPBUILDER_S3_BUCKET and the other HEPBUILDER_S3_* settings)",
                    handout.id,
                )
                raise Unavailable(UNAVAILABLE_MESSAGE)
            return self.s3
        if handout.pdf_store == DATABASE_STORE.name:
            return DATABASE_STORE
        log.error("Handout %s: unknown PDF store %r", handout.id, handout.pdf_store)
        raise Unavailable(UNAVAILABLE_MESSAGE)


SESSION_INFO_KEY = "hepbuilder.pdf_stores"
DATABASE_ONLY = PdfStores()


def pdf_stores_for(settings: PdfStoreSettings) -> PdfStores:
    """The adapters `settings` describe (checked already by config.pdf_store_settings)."""
    s3 = S3PdfStore(settings) if settings.has_s3 else None
    return PdfStores(writing=s3 if settings.store == "s3" else DATABASE_STORE, s3=s3)


def session_info(settings: PdfStoreSettings) -> dict:
    """The `info` for a session factory whose sessions use `settings`' PDF stores."""
    return {SESSION_INFO_KEY: pdf_stores_for(settings)}


def pdf_stores(session) -> PdfStores:
    """The session's PDF stores (the database store alone when its factory named none)."""
    return session.info.get(SESSION_INFO_KEY) or DATABASE_ONLY
