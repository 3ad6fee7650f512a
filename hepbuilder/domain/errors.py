"""Errors raised by domain rules and services; the web and API adapters map them to responses in one place."""


class DomainError(Exception):
    """Base class for every error a user can cause.

    `code` is the machine-readable error code the JSON API answers with (None: the status's
    general code, e.g. "invalid" for 422).
    """

    code: str | None = None


class ValidationError(DomainError):
    """Input broke a rule. `fields` maps a field path (e.g. "items[2].sets") to a sentence."""

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.fields = dict(fields)
        if message is None:
            message = "; ".join(f"{name}: {text}" for name, text in self.fields.items())
        super().__init__(message)
        self.message = message

    def prefixed(self, prefix: str) -> "ValidationError":
        """The same errors with every field path put under `prefix` (e.g. "items[3].")."""
        return ValidationError({f"{prefix}{name}": text for name, text in self.fields.items()})


class NotFound(DomainError):
    """Nothing by that id in the acting user's clinic (another clinic's record looks exactly the same)."""


class Conflict(DomainError):
    """The record changed since the caller read it, or a unique value is already taken.

    `code` says which (e.g. "version_conflict", "external_id_taken"; default "conflict");
    `fields`, when the conflict is about one field the caller sent (a taken external id, a
    stale version), maps it to a sentence, as ValidationError's do; `retry_after_seconds`, when
    set, says the same request may succeed after that wait.
    """

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        existing_id: int | None = None,
        current_version: int | None = None,
        code: str = "conflict",
        retry_after_seconds: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        self.existing_id = existing_id
        self.current_version = current_version
        self.code = code
        self.retry_after_seconds = retry_after_seconds


class PermissionDenied(DomainError):
    """The acting user's role does not allow this."""


class RateLimited(DomainError):
    """Too many requests in the current window; the same request may succeed after the wait."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: int):
        super().__init__(message)
        self.message = message
        self.retry_after_seconds = retry_after_seconds


class Unavailable(DomainError):
    """Something the app stores elsewhere (a handout's PDF in an object store) cannot be had
    right now, or does not match what was recorded; the request may succeed later (503)."""

    code = "unavailable"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
