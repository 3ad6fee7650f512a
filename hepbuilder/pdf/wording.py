"""Words the handout prints in several places: the therapist's line, a share link."""

from hepbuilder.domain.spec import HandoutSpec

from .ink.lines import clean

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def short_url(url: str) -> str:
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme) :].rstrip("/")
    return url


def therapist_line(spec: HandoutSpec) -> str:
    name = clean(spec.therapist_name)
    credentials = clean(spec.therapist_credentials)
    return f"{name}, {credentials}" if name and credentials else name or credentials
