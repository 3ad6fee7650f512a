"""The one brand-colour rule and WCAG contrast, shared by the brand form, the web layout and the spec."""

import pytest

from hepbuilder.domain.color import contrast_with_white, hex_to_rgb, is_hex_color, normalize_color


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("#1F6F8B", "#1f6f8b"),
        ("1f6f8b", "#1f6f8b"),
        (" #abcdef ", "#abcdef"),
        ("#12345", None),
        ("red", None),
        ("#1f6f8b;}", None),
        ("", None),
        (None, None),
        (0x1F6F8B, None),
    ],
)
def test_normalize_color_accepts_only_six_hex_digits(typed, stored):
    assert normalize_color(typed) == stored


def test_is_hex_color_refuses_anything_that_could_break_out_of_css():
    assert is_hex_color("#1F6F8B") and is_hex_color("#000000")
    for value in ("#1f6f8b\n", "#1f6f8b}", "1f6f8b", None, "#ggg000"):
        assert not is_hex_color(value)


def test_contrast_with_white_matches_wcag_figures():
    assert contrast_with_white(hex_to_rgb("#ffffff")) == pytest.approx(1.0)
    assert contrast_with_white(hex_to_rgb("#000000")) == pytest.approx(21.0)
    assert contrast_with_white(hex_to_rgb("#767676")) == pytest.approx(4.54, abs=0.01)
