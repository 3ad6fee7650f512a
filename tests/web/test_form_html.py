"""The faster html_params (web/form_html.py) writes what WTForms' own writes, and the pages
built with it keep their escaping."""

import pytest
from markupsafe import Markup

from hepbuilder.web import form_html

CASES = [
    {},
    {"name": "text1", "id": "f", "class_": "text"},
    {"checked": True, "readonly": False, "name": "text1", "abc": "hello"},
    {"data_dose": "sets", "aria_describedby": "a b", "for_": "x"},
    {"value": '"><script>alert(1)</script>', "title": "O'Brien & <Núñez>"},
    {"value": Markup('already "safe" <b>'), "placeholder": Markup("a &amp; b")},
    {"value": 0, "min": 1, "max": 99.5, "step": None},
    {"data_x_y_z": "1", "aria_": "odd", "class": "c", "z_": "last"},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_the_same_attributes_as_wtforms(kwargs):
    ours = form_html.html_params(**kwargs)
    theirs = form_html.ORIGINAL(**kwargs)
    assert isinstance(ours, Markup)
    assert str(ours) == str(theirs)


def test_every_widget_uses_it_once_an_app_exists(app):
    from wtforms import widgets
    from wtforms.widgets import core

    assert core.html_params is form_html.html_params
    assert widgets.html_params is form_html.html_params
    assert core.Input.html_params is form_html.html_params
    assert core.TextInput().html_params is form_html.html_params
