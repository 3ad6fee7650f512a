"""Exercise steps that agree with the dose: placeholders the dose fills, and the library's check.

A library step may hold `{hold}`, printed as the item's hold ("for 30 seconds"), and may start
with `[each side]`, printed only when the dose is "each side" (a step that switches sides: "then
swap to the other side"). `step_problems` refuses steps that would contradict a dose: a hold
written out in words ("for the time shown") instead of `{hold}`, `{hold}` in an exercise whose
default dose has no hold, an unknown placeholder, or a step that switches sides without the
marker (or in an exercise whose default dose is not "each side"). The library loader runs it.
"""

import re

from .dose import Dose, hold_words

EACH_SIDE_MARK = "[each side]"
HOLD_PLACEHOLDER = "{hold}"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_HOLD_IN_WORDS = re.compile(r"\b(time shown|for the time|as long as shown|for the hold)\b", re.I)
_SWITCHES_SIDES = re.compile(
    r"\b(other side|swap sides|switch sides|change sides|swap so|repeat on|before the other)\b",
    re.I,
)


def each_side_only(text: str) -> tuple[bool, str]:
    """Whether a step or frame label starts with EACH_SIDE_MARK (printed for an each-side dose
    only), and the text as printed, without the mark."""
    if text.startswith(EACH_SIDE_MARK):
        return True, text[len(EACH_SIDE_MARK) :].lstrip()
    return False, text


def step_problems(steps: tuple[str, ...], defaults: Dose) -> dict[str, str]:
    """Every step that could contradict a dose, as {"steps[2]": "why"} (empty when all agree)."""
    problems: dict[str, str] = {}
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        marked, text = each_side_only(step)
        unknown = [p for p in _PLACEHOLDER.findall(text) if p != HOLD_PLACEHOLDER]
        if unknown:
            problems[where] = (
                f"has an unknown placeholder {unknown[0]} (only {{hold}} is filled in)"
            )
        elif _HOLD_IN_WORDS.search(text):
            problems[where] = "names the hold in words; write {hold} where the dose's hold goes"
        elif HOLD_PLACEHOLDER in text and not defaults.hold_seconds:
            problems[where] = "uses {hold} but the default dose has no hold_seconds"
        elif _SWITCHES_SIDES.search(text) and not marked:
            problems[where] = f'switches sides; start it with "{EACH_SIDE_MARK}"'
        elif marked and defaults.side != "each":
            problems[where] = f'is marked "{EACH_SIDE_MARK}" but the default dose is not each side'
    return problems


def needs_hold(steps: tuple[str, ...]) -> bool:
    """True when a step prints the hold ({hold}), so a dose for it must have one."""
    return any(HOLD_PLACEHOLDER in step for step in steps)


def steps_for_dose(steps: tuple[str, ...], dose: Dose) -> tuple[str, ...]:
    """The steps as printed for `dose`: {hold} filled in, each-side steps kept only for "each"."""
    printed = []
    hold = f"for {hold_words(dose.hold_seconds)}" if dose.hold_seconds else "for a moment"
    for step in steps:
        marked, step = each_side_only(step)
        if marked and dose.side != "each":
            continue
        printed.append(step.replace(HOLD_PLACEHOLDER, hold))
    return tuple(printed)
