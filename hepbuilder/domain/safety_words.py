"""The "Get help straight away" box: symptoms that need urgent care, the emergency number and the
out-of-hours advice. Worded once here for the handout and the patient's private-link page; which
programs carry it (back and hip ones) is decided here too. The pain rule ("Stay safe: how much
discomfort is OK") is in pain_rule.py.
"""

from dataclasses import dataclass

from .emergency import urgent_help
from .spec import HandoutSpec

RED_FLAGS_TITLE = "Get help straight away"
RED_FLAG_REGIONS = ("back", "hip", "lumbar", "spine", "pelvi", "buttock", "sciatic")
RED_FLAGS = (
    "numbness or tingling around your back passage or genitals, or in the area you would sit "
    "on a saddle",
    "new trouble passing urine or controlling your bladder or bowels",
    "weakness or numbness in one or both legs that is getting worse",
    "back pain with a fever or feeling unwell, or after a fall or an accident",
)


@dataclass(frozen=True, slots=True)
class RedFlags:
    title: str
    call: str  # the bold lead: "Call 999 now,"
    call_text: str  # after it: "or go to the emergency department if you have any of these:"
    symptoms: tuple[str, ...]
    closing: str  # "Do not wait for your next appointment. " and the out-of-hours advice


def needs_red_flags(spec: HandoutSpec) -> bool:
    """True for back and hip programs: any exercise whose body region names the back or hip."""
    return any(
        word in item.exercise.body_region.lower()
        for item in spec.items
        for word in RED_FLAG_REGIONS
    )


def red_flags(country: str, emergency_number: str = "", out_of_hours: str = "") -> RedFlags:
    """The box's words for a clinic: its own number and advice where set, else its country's."""
    help_ = urgent_help(country, emergency_number, out_of_hours)
    number = help_.emergency_number.strip()
    call = f"Call {number} now," if number else "Call the emergency services now,"
    return RedFlags(
        title=RED_FLAGS_TITLE,
        call=call,
        call_text="or go to the emergency department if you have any of these:",
        symptoms=RED_FLAGS,
        closing="Do not wait for your next appointment. " + help_.out_of_hours.strip(),
    )


def red_flags_for(spec: HandoutSpec) -> RedFlags | None:
    """The box for this handout, or None when its program does not carry one."""
    if not needs_red_flags(spec):
        return None
    clinic = spec.clinic
    return red_flags(clinic.country, clinic.emergency_number, clinic.out_of_hours)
