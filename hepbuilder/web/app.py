"""The Flask application factory. It reads as a table of contents."""

from flask import Flask

from hepbuilder.config import (
    DEFAULT_API_RATE_LIMIT,
    DEFAULT_IDEMPOTENCY_TTL_HOURS,
    PDF_STORE_NAMES,
    load_settings,
    pdf_store_settings,
)
from hepbuilder.paths import TEMPLATES_DIR

from .app_class import App
from .auth import register_auth
from .client_address import register_client_address
from .database import register_database
from .errors import register_error_handlers
from .form_html import install as install_fast_form_html
from .input_guard import register_input_guard
from .page_context import register_page_context
from .security_headers import register_security_headers

MAX_REQUEST_BYTES = 8 * 1024 * 1024  # logos and API bodies; bigger requests get 413


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then HEPBUILDER_* environment, then `overrides` (tests)."""
    app = App("hepbuilder", template_folder=str(TEMPLATES_DIR), static_folder="web/static")
    configure(app, overrides or {})
    install_fast_form_html()  # WTForms' attributes, same bytes, a fraction of the time
    register_database(app)
    register_input_guard(app)  # bounds first, before sign-in or CSRF reads anything
    register_auth(app)
    register_page_context(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_blueprints(app)
    register_client_address(app)
    return app


def configure(app: Flask, overrides: dict) -> None:
    needs_settings = not {"DATABASE_URL", "SECRET_KEY"} <= overrides.keys()
    if needs_settings:
        settings = load_settings()
        app.config.update(
            DATABASE_URL=settings.database_url,
            SECRET_KEY=settings.secret_key,
            PUBLIC_URL=settings.public_url,
            SMTP_HOST=settings.smtp_host,
            SMTP_PORT=settings.smtp_port,
            SMTP_USERNAME=settings.smtp_username,
            SMTP_PASSWORD=settings.smtp_password,
            SMTP_STARTTLS=settings.smtp_starttls,
            SMTP_TLS=settings.smtp_tls,
            SMTP_CA_FILE=settings.smtp_ca_file,
            MAIL_FROM=settings.mail_from,
            LINK_KEY=settings.link_key,
            WEBHOOK_KEY=settings.webhook_key,
            API_RATE_LIMIT=settings.api_rate_limit,
            IDEMPOTENCY_TTL_HOURS=settings.idempotency_ttl_hours,
            PDF_STORE_SETTINGS=settings.pdf_store,
        )
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PUBLIC_URL=app.config.get("PUBLIC_URL", ""),
        API_RATE_LIMIT=app.config.get("API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT),
        IDEMPOTENCY_TTL_HOURS=app.config.get(
            "IDEMPOTENCY_TTL_HOURS", DEFAULT_IDEMPOTENCY_TTL_HOURS
        ),
    )
    app.config.update(overrides)
    if "PDF_STORE_SETTINGS" not in app.config or PDF_STORE_NAMES[0] in overrides:
        # Tests (and embedders) may give the PDF store as PDF_STORE, S3_BUCKET, ... overrides;
        # they are checked like the environment (config.SettingError naming the setting).
        app.config["PDF_STORE_SETTINGS"] = pdf_store_settings(app.config)


def register_blueprints(app: Flask) -> None:
    from . import (
        accounts,
        admin,
        delivery,
        exercises,
        handouts,
        health,
        library,
        patient_links,
        patient_records,
        patients,
        poses,
        programs,
        protocols,
    )

    app.register_blueprint(accounts.bp)
    app.register_blueprint(exercises.bp)
    app.register_blueprint(patients.bp)
    app.register_blueprint(programs.bp)
    app.register_blueprint(handouts.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(delivery.bp)
    app.register_blueprint(patient_links.bp)
    app.register_blueprint(library.bp)
    app.register_blueprint(poses.bp)
    app.register_blueprint(protocols.bp)
    app.register_blueprint(patient_records.bp)
    app.register_blueprint(health.bp)
    register_second_factor(app)
    register_api(app)


def register_api(app: Flask) -> None:
    """The JSON API v1 under /api/v1 (bearer tokens; the sign-in wall and CSRF skip /api/)."""
    from hepbuilder.api import register_api as register

    register(app)


def register_second_factor(app: Flask) -> None:
    """The code step of sign-in, its account page, the admins' rule, and the set-up wall."""
    from . import second_factor

    app.register_blueprint(second_factor.bp)
    app.before_request(second_factor.require_second_factor_setup)
