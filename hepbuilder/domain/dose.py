"""A dose (sets, reps, hold, frequency, side), its limits, and the one place that words it for patients."""

from dataclasses import asdict, dataclass

from .errors import ValidationError

SIDES = ("each", "left", "right", "none")

# field -> (lowest, highest, what it is called in an error)
DOSE_LIMITS: dict[str, tuple[int, int]] = {
    "sets": (1, 20),
    "reps": (1, 100),
    "hold_seconds": (1, 600),
    "times_per_day": (1, 10),
    "days_per_week": (1, 7),
}
DOSE_FIELDS = (*DOSE_LIMITS, "side")

_TIMES_A_DAY = {1: "once a day", 2: "twice a day"}
_SIDE_WORDS = {
    "each": "each side",
    "left": "left side only",
    "right": "right side only",
    "none": "",
}


@dataclass(frozen=True, slots=True)
class Dose:
    """How much of one exercise. `None` means "not part of this dose" (e.g. no reps for a hold)."""

    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    times_per_day: int | None = None
    days_per_week: int | None = None
    side: str = "none"

    def to_dict(self) -> dict:
        return asdict(self)


def parse_dose(data: dict, *, prefix: str = "") -> Dose:
    """Build a Dose from a mapping, checking types and DESIGN.md's ranges.

    Missing keys and nulls mean "not set". Raises ValidationError naming each bad field as
    `prefix + field`, so callers can say "items[2].sets".
    """
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for field, (low, high) in DOSE_LIMITS.items():
        raw = data.get(field)
        if raw is None or raw == "":
            values[field] = None
            continue
        if isinstance(raw, bool) or not isinstance(raw, int):
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            elif isinstance(raw, str) and raw.strip().isdigit():
                raw = int(raw.strip())
            else:
                errors[prefix + field] = f"must be a whole number from {low} to {high}"
                continue
        if not low <= raw <= high:
            errors[prefix + field] = f"must be from {low} to {high} (got {raw})"
            continue
        values[field] = raw
    side = data.get("side") or "none"
    if side not in SIDES:
        errors[prefix + "side"] = "must be one of: " + ", ".join(SIDES)
    if errors:
        raise ValidationError(errors)
    return Dose(side=side, **values)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def hold_words(seconds: int) -> str:
    """A hold in words: "30 seconds", "2 minutes"."""
    if seconds >= 120 and seconds % 60 == 0:
        return _plural(seconds // 60, "minute")
    return _plural(seconds, "second")


def _frequency_words(dose: Dose) -> list[str]:
    parts = []
    if dose.times_per_day:
        parts.append(_TIMES_A_DAY.get(dose.times_per_day, f"{dose.times_per_day} times a day"))
    if dose.days_per_week and dose.days_per_week < 7:
        parts.append(_plural(dose.days_per_week, "day") + " a week")
    elif dose.days_per_week == 7 and not dose.times_per_day:
        parts.append("every day")
    return parts


def has_amount(dose: Dose) -> bool:
    """True when the dose says how much: sets, reps or a hold."""
    return bool(dose.sets or dose.reps or dose.hold_seconds)


def describe_change(was: Dose, now: Dose) -> str:
    """What changed between two doses, e.g. "was 2 sets, hold 30 seconds; now 3 sets, hold 45
    seconds" (only the amounts, frequency and side that differ are named)."""
    before, after = _change_parts(was), _change_parts(now)
    changed = [key for key in after.keys() | before.keys() if before.get(key) != after.get(key)]
    order = ["amount", "hold", "frequency", "side"]
    changed.sort(key=order.index)

    def words(parts: dict) -> str:
        return ", ".join(parts[key] for key in changed if parts.get(key)) or "none"

    return f"was {words(before)}; now {words(after)}"


def _change_parts(dose: Dose) -> dict[str, str]:
    parts = {}
    amount = _amount_words(dose)
    if amount:
        parts["amount"] = amount
    if dose.hold_seconds:
        parts["hold"] = "hold " + hold_words(dose.hold_seconds)
    frequency = _frequency_words(dose)
    if frequency:
        parts["frequency"] = ", ".join(frequency)
    if _SIDE_WORDS[dose.side]:
        parts["side"] = _SIDE_WORDS[dose.side]
    return parts


def _amount_words(dose: Dose) -> str:
    if dose.sets and dose.reps:
        return f"{_plural(dose.sets, 'set')} of {dose.reps}"
    if dose.sets:
        return _plural(dose.sets, "set")
    if dose.reps:
        return _plural(dose.reps, "repetition")
    return ""


def describe_dose(dose: Dose) -> str:
    """The dose in plain words, e.g. "3 sets of 10, hold 30 seconds, twice a day, each side"."""
    parts = []
    amount = _amount_words(dose)
    if amount:
        parts.append(amount)
    if dose.hold_seconds:
        parts.append("hold " + hold_words(dose.hold_seconds))
    parts.extend(_frequency_words(dose))
    if _SIDE_WORDS[dose.side]:
        parts.append(_SIDE_WORDS[dose.side])
    return ", ".join(parts) if parts else "as your therapist showed you"


def dose_chips(dose: Dose) -> list[tuple[str, str]]:
    """The dose as short (label, value) pairs for a compact line, e.g. [("Sets", "3"), ("Hold", "30 s")]."""
    chips = []
    if dose.sets:
        chips.append(("Sets", str(dose.sets)))
    if dose.reps:
        chips.append(("Reps", str(dose.reps)))
    if dose.hold_seconds:
        chips.append(("Hold", f"{dose.hold_seconds} s"))
    frequency = _frequency_words(dose)
    if frequency:
        chips.append(("How often", ", ".join(frequency)))
    if dose.side != "none":
        chips.append(
            ("Side", {"each": "Each side", "left": "Left only", "right": "Right only"}[dose.side])
        )
    return chips
