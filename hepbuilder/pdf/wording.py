"""Words the handout prints in several places: dates, the therapist's line, a share link."""

import datetime as dt

from hepbuilder.domain.spec import HandoutSpec

from .ink.lines import clean

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def long_date(day: dt.date) -> str:
    """ "25 November 2026": unambiguous on either side of the Atlantic, independent of locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_url(url: str) -> str:
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme) :].rstrip("/")
    return url


def therapist_line(spec: HandoutSpec) -> str:
    name = clean(spec.therapist_name)
    credentials = clean(spec.therapist_credentials)
    return f"{name}, {credentials}" if name and credentials else name or credentials
