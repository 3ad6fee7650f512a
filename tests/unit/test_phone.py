"""The phone-number rule (domain/phone.py) and the places that apply it: the API schema's pattern
accepts exactly what the patient service does, read as Python reads it and as
jsonschema-rs (the validator the OpenAPI tests use) does."""

import re

import jsonschema_rs
import pytest

from hepbuilder.api import schemas
from hepbuilder.domain.phone import PHONE_MESSAGE, clean_phone, is_phone, phone_problem

ACCEPTED = [
    "091 555 0100",
    "+353 91 555 0100",
    "+44 (0)20 7946 0000",
    "(555) 123-4567",
    "555.123.4567",
    "030/1234567",
    "0161 555 0100 ext 12",
    "0161 555 0100 Ext. 12",
    "0161 555 0100 x204",
    " 4123 ",
    "091 555 0100\n",  # whitespace around a number is stripped
    "091\u00a0555\u00a00100",  # no-break spaces, as Word and PMSs paste them
    "+353\u202f91\u202f555\u202f0100",  # narrow no-break spaces
    "0161\u2007555\u20070100 ext\u00a012",  # figure spaces, and one before the extension
]
REFUSED = ["abc", "n/a", "-", "555", "ask at the desk", "0161 555 0100 ext", "+44 20 7946 0000 #2",
           "1-800-FLOWERS", "091\u3000555\u30000100", "+４４ ２０ ７９４６"]  # fmt: skip


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_phone_number_people_write_is_accepted(text):
    assert is_phone(text) and phone_problem(text) is None


@pytest.mark.parametrize("text", REFUSED)
def test_text_that_is_no_phone_number_is_refused_with_the_sentence_the_pages_show(text):
    assert not is_phone(text)
    assert phone_problem(text) == PHONE_MESSAGE


def test_a_phone_number_is_saved_with_plain_spaces_for_non_breaking_ones():
    assert clean_phone(" 091\u00a0555\u202f0100\u2007x12 ") == "091 555 0100 x12"


def test_a_blank_phone_number_is_no_problem():
    assert phone_problem("") is None and phone_problem("  ") is None


@pytest.mark.parametrize("text", [*ACCEPTED, *REFUSED, "", "  "])
def test_the_api_schema_accepts_a_phone_number_exactly_when_the_service_does(text):
    from hepbuilder.services import patients

    in_python = re.search(schemas.PHONE["pattern"].replace("$", r"\Z"), text) is not None
    in_ecma = jsonschema_rs.validator_for(schemas.PHONE).is_valid(text)
    problems = patients.patient_problems({"first_name": "A", "last_name": "B", "phone": text})
    assert in_python == in_ecma == ("phone" not in problems), problems
