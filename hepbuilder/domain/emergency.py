"""Where a patient gets urgent help: the emergency number and out-of-hours advice by country.

A clinic may set its own number and advice; these are the defaults from its country (ISO 3166
two-letter code). With no country and no number the handout says "the emergency services".
"""

from dataclasses import dataclass

_EU_112 = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO CH"
).split()


@dataclass(frozen=True, slots=True)
class UrgentHelp:
    emergency_number: str
    out_of_hours: str


_BY_COUNTRY = {
    "GB": UrgentHelp(
        "999", "For urgent advice that is not an emergency, call NHS 111 or go to 111.nhs.uk."
    ),
    "IE": UrgentHelp(
        "112 or 999",
        "For urgent advice when your GP is closed, call your GP's out-of-hours service.",
    ),
    "US": UrgentHelp(
        "911", "For urgent advice after hours, call your doctor's office or go to urgent care."
    ),
    "CA": UrgentHelp("911", "For urgent advice after hours, call 811 or go to urgent care."),
    "AU": UrgentHelp("000", "For urgent advice after hours, call healthdirect on 1800 022 222."),
    "NZ": UrgentHelp("111", "For urgent advice after hours, call Healthline on 0800 611 116."),
    **{
        code: UrgentHelp(
            "112", "For urgent advice when your doctor is closed, call the out-of-hours service."
        )
        for code in _EU_112
    },
}
COUNTRY_NAMES = {
    "AT": "Austria",
    "AU": "Australia",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CA": "Canada",
    "CH": "Switzerland",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "GR": "Greece",
    "HR": "Croatia",
    "HU": "Hungary",
    "IE": "Ireland",
    "IS": "Iceland",
    "IT": "Italy",
    "LI": "Liechtenstein",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "MT": "Malta",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovakia",
    "US": "United States",
}
COUNTRY_CODES = tuple(sorted(_BY_COUNTRY, key=lambda code: COUNTRY_NAMES[code]))
GENERIC = UrgentHelp("", "For urgent advice when the clinic is closed, call your doctor.")


def urgent_help(country: str, emergency_number: str = "", out_of_hours: str = "") -> UrgentHelp:
    """The clinic's own number and advice where set, else its country's defaults."""
    default = _BY_COUNTRY.get((country or "").upper(), GENERIC)
    return UrgentHelp(
        emergency_number or default.emergency_number, out_of_hours or default.out_of_hours
    )
