"""What an email address may be (a patient's, a user's, the clinic's, where a handout is sent):
the one rule, read by the web forms, the services and the API's JSON Schema.

It is email-validator's check (without asking DNS), which is why it lives here and not in
domain/ (standard library only): an address in the ASCII of RFC 5322's dot-atom before the @ (no
quotes, no leading, trailing or doubled dot, at most 64 characters; non-ASCII letters there are
refused, as many mail servers cannot deliver to them), a real domain after it (no IP address, not
a special-use name such as .test or .local), at most MAX_ADDRESS_CHARS characters. An
internationalised domain is accepted and comes back in its ASCII (xn--) form. Stored addresses
are never re-checked when read: only a value being saved is.
"""

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.limits import HANDOUT_EMAIL_LIMITS

MAX_ADDRESS_CHARS = HANDOUT_EMAIL_LIMITS["to"]
LOCAL_PART_MAX_CHARS = 64  # RFC 5321 4.5.3.1.1: a mail server may refuse a longer one
LOCAL_PART_LENGTH = f"(?=[^@]{{1,{LOCAL_PART_MAX_CHARS}}}@)"  # the patterns' lookahead for it
BLANK_MESSAGE = "Enter an email address."
NOT_AN_ADDRESS = "That is not an email address."
# line breaks and other control characters: never in an address (nor in a header, handout_emails)
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def address_pattern(around: str = "", *, special_use: bool = False) -> str:
    """What check_address accepts, written in ASCII, as one anchored regex that means the same in
    Python and ECMA-262 (JSON Schema's `pattern`): a dot-atom before the @ (RFC 5322 characters,
    no leading, trailing or doubled dot, 64 at most); after it, two or more labels of letters,
    digits and inner hyphens (63 at most each, no "ab--" but Punycode "xn--"), the last ending in
    a letter, and not under a special-use domain (email-validator's list, any case). `around`: a
    regex of what may come before and after the address (the API's patient email allows
    whitespace, which the service strips). What it cannot say: that an "xn--" label is valid
    Punycode (email-validator decodes it). `$` is written \\u0024. `special_use`: special-use
    domains (clinic.local) allowed too."""

    def any_case(word: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)

    atom = "[A-Za-z0-9!#\\u0024%&'*+/=?^_`{|}~-]+"
    ldh = "[A-Za-z0-9-]"
    not_r_ldh = f"(?!(?![xX][nN]){ldh}{{2}}--)"
    label = f"{not_r_ldh}[A-Za-z0-9](?:{ldh}{{0,61}}[A-Za-z0-9])?"
    top_label = f"{not_r_ldh}(?:[A-Za-z0-9]{ldh}{{0,61}})?[A-Za-z]"
    special = "|".join(any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
    end = f"{around}$"
    not_special = "" if special_use else f"(?!.*\\.(?:{special}){end})"
    local = f"{LOCAL_PART_LENGTH}{atom}(?:\\.{atom})*"
    return f"^{around}{local}@{not_special}(?:{label}\\.)+{top_label}{end}"


ADDRESS_PATTERN = address_pattern()
# A sign-in name at a clinic's internal domain: written as an address, though no mail goes there
_SIGN_IN_NAME = re.compile(address_pattern(special_use=True))


def check_address(value: object, field: str = "to", *, deliverable: bool = True) -> str:
    """A normalised email address, or ValidationError naming `field` (checked by email-validator,
    without asking DNS). The domain comes back in lower case, an internationalised one in its
    ASCII form (xn--); a non-ASCII part before the @ is refused. `deliverable=False` (a user's
    sign-in name, which the app never mails) also takes a special-use domain, such as a clinic's
    internal "clinic.local", as typed."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field: BLANK_MESSAGE})
    if len(text) > MAX_ADDRESS_CHARS or CONTROL_CHARS.search(text):
        raise ValidationError({field: NOT_AN_ADDRESS})
    try:
        checked = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            strict=True,  # the part before the @ at most 64 characters
        )
        return checked.ascii_email or checked.normalized
    except EmailNotValidError as error:
        if not deliverable and _SIGN_IN_NAME.fullmatch(text):
            return text  # only its domain is no place mail can go, and none is sent there
        raise ValidationError({field: f"{NOT_AN_ADDRESS[:-1]}: {error}"}) from None


def email_problem(text: str, *, deliverable: bool = True) -> str | None:
    """Why `text` is no email address (check_address's sentence), or None when it is one or is
    blank (whitespace aside): the check of an optional email field."""
    if not text.strip():
        return None
    try:
        check_address(text, "email", deliverable=deliverable)
    except ValidationError as error:
        return error.fields["email"]
    return None
