"""A faster WTForms `html_params`, writing the same attributes byte for byte.

WTForms builds every attribute of every input, option and label through
`Markup('{k}="{v}"').format(...)` and a `Markup.replace`, which is most of the builder page's
time (ten items of seven fields, each with a label and the side choice's options: about 2,000
calls a page). This one escapes the same way (markupsafe's `escape` for names and values, a
literal `"` in a Markup value as `&quot;`) with plain string joins. `install()` puts it where
WTForms looks it up: the module function and the widgets that keep it as a static method.
tests/web/test_form_html.py holds it to WTForms' own output.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core


def html_params(**kwargs) -> Markup:
    """Like wtforms.widgets.html_params: sorted attributes, `True` bare, `False` left out."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(core.clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            text = str(escape(value))
            if '"' in text:  # only a Markup value can still hold one
                text = text.replace('"', "&quot;")
            params.append(f'{key}="{text}"')
    return Markup(" ".join(params))


ORIGINAL = core.html_params


def install() -> None:
    """Use `html_params` in WTForms' widgets and labels (idempotent)."""
    core.html_params = html_params
    widgets.html_params = html_params  # wtforms.fields' Label looks it up here
    for widget in (core.Input, core.Button):
        widget.html_params = staticmethod(html_params)
