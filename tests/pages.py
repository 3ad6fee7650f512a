"""Reading what a page shows, as a user would see it: the error beside a field."""

import re


def field_error(html: str, field_id: str) -> str:
    """The error text shown beside one field ("" if none)."""
    match = re.search(rf'<p class="field__error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""
