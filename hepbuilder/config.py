"""Settings from the environment (HEPBUILDER_*), with embedded defaults. No Flask here: the CLI uses it too."""

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "HEPBUILDER_"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def instance_dir() -> Path:
    """Where the embedded database and the generated secret live (HEPBUILDER_INSTANCE_DIR or ./instance)."""
    return Path(os.environ.get(ENV_PREFIX + "INSTANCE_DIR") or Path.cwd() / "instance").resolve()


def generated_secret(directory: Path, name: str) -> str:
    """The secret kept in `directory/name`, generated on first use.

    The new value is written whole to a temporary file first and then linked into place with
    os.link, which fails when the name exists: of two processes racing on first start, one wins
    and both read the winner's complete file (never an empty or half-written one).
    """
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process was first: use its key
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_text().strip()


def _secret_key(directory: Path) -> str:
    """HEPBUILDER_SECRET_KEY, else one generated on first start and kept in instance/secret_key."""
    return os.environ.get(ENV_PREFIX + "SECRET_KEY") or generated_secret(directory, "secret_key")


def link_key() -> str:
    """HEPBUILDER_LINK_KEY (derives patients' private links), else one kept in instance/link_key.

    It is a separate key from the secret key so that either can be changed alone; changing it
    turns every private link off at once (patients get a new one with their next handout).
    """
    return os.environ.get(ENV_PREFIX + "LINK_KEY") or generated_secret(instance_dir(), "link_key")


def webhook_key() -> str:
    """HEPBUILDER_WEBHOOK_KEY (derives the webhook endpoints' signing secrets), else one kept in
    instance/webhook_key. Changing it changes every endpoint's secret at once (receivers then
    refuse the signatures until each endpoint is created again)."""
    return os.environ.get(ENV_PREFIX + "WEBHOOK_KEY") or generated_secret(
        instance_dir(), "webhook_key"
    )


class SettingError(ValueError):
    """A HEPBUILDER_* setting has a value the app cannot start with; the message names it."""


PDF_STORES = ("database", "s3")
# The PDF store's settings, by name without the HEPBUILDER_ prefix (also the app.config keys).
PDF_STORE_NAMES = (
    "PDF_STORE",
    "S3_ENDPOINT_URL",
    "S3_BUCKET",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_KEY_PREFIX",
)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_KEY_PREFIX = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
MAX_KEY_PREFIX_CHARS = 200


@dataclass(frozen=True)
class PdfStoreSettings:
    """Where new handouts' PDFs go (`store`: "database" or "s3") and how to reach the S3 store.

    `bucket` is empty when no S3 store is set up. An S3 store may be set up while `store` is
    "database": handouts issued while it was "s3" are then still read from it.
    """

    store: str = "database"
    endpoint_url: str = ""  # empty: AWS's own endpoint for `region`
    bucket: str = ""
    region: str = ""  # empty: boto3's default (AWS_DEFAULT_REGION, ~/.aws/config)
    access_key_id: str = ""  # both empty: boto3's credential chain (an instance role, ...)
    secret_access_key: str = field(default="", repr=False)
    key_prefix: str = ""

    @property
    def has_s3(self) -> bool:
        return bool(self.bucket)


def _setting(name: str) -> str:
    return ENV_PREFIX + name


def pdf_store_settings(values: Mapping[str, object]) -> PdfStoreSettings:
    """The PDF store's settings from `values` (PDF_STORE_NAMES, without the HEPBUILDER_ prefix:
    the environment or app.config), checked: SettingError naming the setting otherwise."""

    def value(name: str) -> str:
        return str(values.get(name) or "").strip()

    store = value("PDF_STORE").lower() or "database"
    if store not in PDF_STORES:
        raise SettingError(
            f'{_setting("PDF_STORE")} must be "database" or "s3", not {value("PDF_STORE")!r}.'
        )
    bucket = value("S3_BUCKET")
    if store == "s3" and not bucket:
        raise SettingError(f"{_setting('PDF_STORE')}=s3 needs {_setting('S3_BUCKET')}.")
    if bucket and not _BUCKET.fullmatch(bucket):
        raise SettingError(
            f"{_setting('S3_BUCKET')} must be a bucket name: 3 to 63 lower-case letters, digits, "
            "dots and hyphens, starting and ending with a letter or digit."
        )
    endpoint_url = value("S3_ENDPOINT_URL").rstrip("/")
    if endpoint_url and not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", endpoint_url):
        raise SettingError(
            f"{_setting('S3_ENDPOINT_URL')} must be an http:// or https:// address, "
            "e.g. https://s3.eu-west-2.amazonaws.com or http://127.0.0.1:9000."
        )
    access_key_id, secret = value("S3_ACCESS_KEY_ID"), value("S3_SECRET_ACCESS_KEY")
    if bool(access_key_id) != bool(secret):
        raise SettingError(
            f"{_setting('S3_ACCESS_KEY_ID')} and {_setting('S3_SECRET_ACCESS_KEY')} go together: "
            "set both, or neither to use boto3's own credentials (an instance role, ~/.aws)."
        )
    prefix = value("S3_KEY_PREFIX").strip("/")
    if prefix and (len(prefix) > MAX_KEY_PREFIX_CHARS or not _KEY_PREFIX.fullmatch(prefix)):
        raise SettingError(
            f"{_setting('S3_KEY_PREFIX')} may hold letters, digits, '.', '_', '-' and '/' "
            f"between them, at most {MAX_KEY_PREFIX_CHARS} characters."
        )
    if bucket:
        try:
            import boto3  # noqa: F401
        except ImportError:
            raise SettingError(
                f"An S3 store ({_setting('S3_BUCKET')}) needs boto3: pip install 'hepbuilder[s3]'."
            ) from None
    return PdfStoreSettings(
        store=store,
        endpoint_url=endpoint_url,
        bucket=bucket,
        region=value("S3_REGION"),
        access_key_id=access_key_id,
        secret_access_key=secret,
        key_prefix=prefix,
    )


def pdf_store_settings_from_env() -> PdfStoreSettings:
    """pdf_store_settings from the HEPBUILDER_* environment."""
    return pdf_store_settings({name: os.environ.get(_setting(name)) for name in PDF_STORE_NAMES})


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    public_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_tls: bool = False  # implicit TLS (SMTPS, usually port 465)
    smtp_ca_file: str = ""  # a CA bundle to verify the mail server with, instead of the system's
    mail_from: str = ""
    link_key: str = field(default="", repr=False)
    webhook_key: str = field(default="", repr=False)
    api_rate_limit: int = 0  # requests per token per minute; 0: no limit
    idempotency_ttl_hours: int = 0
    pdf_store: PdfStoreSettings = field(default_factory=PdfStoreSettings)


DEFAULT_API_RATE_LIMIT = 600  # per token per minute: ten a second, far above what a PMS syncs
DEFAULT_IDEMPOTENCY_TTL_HOURS = 24


def idempotency_ttl_hours() -> int:
    """HEPBUILDER_IDEMPOTENCY_TTL_HOURS: how long an Idempotency-Key's answer is kept (default 24)."""
    return max(
        1,
        int(os.environ.get(ENV_PREFIX + "IDEMPOTENCY_TTL_HOURS") or DEFAULT_IDEMPOTENCY_TTL_HOURS),
    )


def api_rate_limit() -> int:
    """HEPBUILDER_API_RATE_LIMIT: requests per API token per minute (default 600; 0 turns it off)."""
    return max(0, int(os.environ.get(ENV_PREFIX + "API_RATE_LIMIT") or DEFAULT_API_RATE_LIMIT))


DEFAULT_PASSWORD_HASH = "scrypt"


def password_hash_method() -> str:
    """HEPBUILDER_PASSWORD_HASH: werkzeug's hash method for new passwords (default "scrypt").

    Production keeps the default; the test suite sets a cheap one ("pbkdf2:sha256:1000").
    """
    return os.environ.get(ENV_PREFIX + "PASSWORD_HASH") or DEFAULT_PASSWORD_HASH


DEFAULT_SESSION_IDLE_MINUTES = 30
DEFAULT_SESSION_MAX_HOURS = 12


def _positive_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(ENV_PREFIX + name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


def session_idle_minutes() -> int:
    """HEPBUILDER_SESSION_IDLE_MINUTES: a signed-in session unused this long ends (default 30)."""
    return _positive_int("SESSION_IDLE_MINUTES", DEFAULT_SESSION_IDLE_MINUTES)


def session_max_hours() -> int:
    """HEPBUILDER_SESSION_MAX_HOURS: every signed-in session ends this long after sign-in (default 12)."""
    return _positive_int("SESSION_MAX_HOURS", DEFAULT_SESSION_MAX_HOURS)


def default_database_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'hepbuilder.db'}"


def database_url_from_env() -> str:
    return os.environ.get(ENV_PREFIX + "DATABASE_URL") or default_database_url(instance_dir())


def load_settings() -> Settings:
    """Read every HEPBUILDER_* setting; creates instance/ (and the secret) when they are needed."""
    directory = instance_dir()
    env = os.environ.get
    if not env(ENV_PREFIX + "DATABASE_URL"):
        directory.mkdir(parents=True, exist_ok=True)
    return Settings(
        database_url=database_url_from_env(),
        secret_key=_secret_key(directory),
        public_url=(env(ENV_PREFIX + "PUBLIC_URL") or "").rstrip("/"),
        smtp_host=env(ENV_PREFIX + "SMTP_HOST") or "",
        smtp_port=int(
            env(ENV_PREFIX + "SMTP_PORT") or (465 if _truthy(env(ENV_PREFIX + "SMTP_TLS")) else 25)
        ),
        smtp_username=env(ENV_PREFIX + "SMTP_USERNAME") or "",
        smtp_password=env(ENV_PREFIX + "SMTP_PASSWORD") or "",
        smtp_starttls=_truthy(env(ENV_PREFIX + "SMTP_STARTTLS")),
        smtp_tls=_truthy(env(ENV_PREFIX + "SMTP_TLS")),
        smtp_ca_file=env(ENV_PREFIX + "SMTP_CA_FILE") or "",
        mail_from=env(ENV_PREFIX + "MAIL_FROM") or "",
        link_key=link_key(),
        webhook_key=webhook_key(),
        api_rate_limit=api_rate_limit(),
        idempotency_ttl_hours=idempotency_ttl_hours(),
        pdf_store=pdf_store_settings_from_env(),
    )
