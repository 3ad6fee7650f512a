"""Sending one email through the configured SMTP server (HEPBUILDER_SMTP_*).

STARTTLS and implicit TLS verify the server's certificate and name, against the system's CAs or
HEPBUILDER_SMTP_CA_FILE. Every failure becomes a DeliveryError with a short reason for the
outbox (no message content in it).
"""

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from .outbox import DeliveryError

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    tls: bool = False  # implicit TLS (SMTPS)
    ca_file: str = ""
    mail_from: str = ""

    @property
    def is_configured(self) -> bool:
        """Email can be sent: a server and a sender address are set."""
        return bool(self.host and self.mail_from)

    @classmethod
    def from_settings(cls, settings) -> "SmtpSettings":
        """From hepbuilder.config.Settings (the environment)."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            tls=settings.smtp_tls,
            ca_file=settings.smtp_ca_file,
            mail_from=settings.mail_from,
        )


MISSING_SETTINGS = ("HEPBUILDER_SMTP_HOST", "HEPBUILDER_MAIL_FROM")


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=settings.ca_file or None)
    except (OSError, ssl.SSLError) as error:
        raise DeliveryError(f"Cannot read the CA file HEPBUILDER_SMTP_CA_FILE: {error}") from None


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver `message` (its From/To headers decide the envelope) or raise DeliveryError."""
    if not settings.is_configured:
        raise DeliveryError(
            "Email is not set up: set HEPBUILDER_SMTP_HOST and HEPBUILDER_MAIL_FROM."
        )
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.tls:
            client = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=TIMEOUT_SECONDS,
                context=_tls_context(settings),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        with client:
            if settings.starttls and not settings.tls:
                client.starttls(context=_tls_context(settings))
            if settings.username:
                client.login(settings.username, settings.password)
            client.send_message(message)
    except ssl.SSLCertVerificationError as error:
        raise DeliveryError(
            f"The mail server {where} has a certificate we cannot verify ({error.verify_message})."
        ) from None
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(f"The mail server {where} refused the user name or password.") from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(f"The mail server {where} refused the recipient's address.") from None
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(
            f"The mail server {where} answered {error.smtp_code}: {_text(error.smtp_error)}"
        ) from None
    except (smtplib.SMTPException, ssl.SSLError) as error:
        raise DeliveryError(f"Sending through {where} failed: {error}") from None
    except OSError as error:
        raise DeliveryError(
            f"Cannot reach the mail server {where}: {error.strerror or error}."
        ) from None


def _text(value: bytes | str) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))[:300]
