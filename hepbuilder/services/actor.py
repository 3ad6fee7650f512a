"""Who is acting: a signed-in user or an API token, always inside one clinic."""

from dataclasses import dataclass

from hepbuilder.domain.errors import PermissionDenied


@dataclass(frozen=True, slots=True)
class Actor:
    """Passed to every service that touches clinic data; services filter on `clinic_id`."""

    clinic_id: int
    user_id: int | None = None
    api_token_id: int | None = None
    role: str = "therapist"  # "admin" | "therapist"; API tokens act as "therapist"
    remote_addr: str = ""
    scopes: tuple[str, ...] = ()  # an API token's scopes ("programs", "library")
    # The therapist named on what this actor creates unless the request names one: the user
    # (when a user acts) or an API token's default therapist.
    therapist_id: int | None = None

    def __post_init__(self):
        if self.therapist_id is None and self.user_id is not None:
            object.__setattr__(self, "therapist_id", self.user_id)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def system_actor(clinic_id: int) -> Actor:
    """The command line or the one-time set-up acting for a clinic: an admin with no user, shown
    in the audit trail as "hepbuilder"."""
    return Actor(clinic_id=clinic_id, role="admin")


def require_admin(actor: Actor) -> None:
    """Raise PermissionDenied unless `actor` is one of the clinic's administrators."""
    if not actor.is_admin:
        raise PermissionDenied("Only an administrator can change the clinic's settings.")


def require_library_editor(actor: Actor) -> None:
    """Raise PermissionDenied unless `actor` may change the library: an administrator, or an API
    token with the "library" scope."""
    if not (actor.is_admin or "library" in actor.scopes):
        raise PermissionDenied("Only an administrator can change the clinic's exercise library.")
