"""The pain rule every handout carries: what soreness is fine, when to ease off, when to stop.

Worded once here for the patient's private-link page (the PDF renderer prints the same rows).
"""

PAIN_RULE_TITLE = "Stay safe: how much discomfort is OK"


def pain_rule(clinic_name: str, phone: str) -> tuple[tuple[str, str], ...]:
    """The rule as (lead, text) rows; the last row names the clinic and its phone number."""
    clinic = clinic_name.strip() or "the clinic"
    phone = phone.strip()
    call = f"Stop and call {clinic} on {phone}:" if phone else f"Stop and contact {clinic}:"
    return (
        (
            "Fine to carry on:",
            "a stretch, a mild ache or tired muscles (up to 3 out of 10) "
            "that settles within a day.",
        ),
        (
            "Ease off:",
            "pain above 3 out of 10 while you exercise, or soreness that is worse the next "
            "morning. Do fewer, move less far or hold for less time.",
        ),
        (
            call,
            "sharp or shooting pain, new numbness, tingling or weakness, swelling, or pain that "
            "keeps getting worse.",
        ),
    )
