"""Who is acting: a signed-in user or an API token, always inside one clinic."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Passed to every service that touches clinic data; services filter on `clinic_id`."""

    clinic_id: int
    user_id: int | None = None
    api_token_id: int | None = None
    role: str = "therapist"  # "admin" | "therapist"; API tokens act as "therapist"
    remote_addr: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
