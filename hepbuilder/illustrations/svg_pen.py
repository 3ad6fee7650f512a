"""The SVG pen: an illustration as a standalone `<svg role="img">` (the web pages and the private link)."""

from xml.sax.saxutils import escape

from .compose import Illustration
from .layout import layout
from .palette import LABEL_HEX, STROKES
from .path_data import number as _num
from .path_data import svg_path_data


def svg_document(
    art: Illustration | None,
    title: str,
    fills: dict[str, str],
    placeholder: str,
    width_px: int | None,
) -> str:
    """A standalone SVG of the illustration (y flipped into SVG's downward axis)."""
    safe_title = escape(title)
    if art is None:
        w, h = 300.0, 200.0
        size_attrs = f' width="{width_px}" height="{round(width_px * h / w)}"' if width_px else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(w)} {_num(h)}"{size_attrs} role="img">'
            f"<title>{safe_title}</title>"
            f'<rect x="6" y="6" width="288" height="188" rx="16" fill="#f2f4f5" stroke="#c9ced2" stroke-width="1.5"/>'
            f'<text x="150" y="108" font-family="Helvetica, Arial, sans-serif" font-size="22" '
            f'text-anchor="middle" fill="#7d848a">{escape(placeholder)}</text></svg>'
        )
    heights = [f.bbox[3] - f.bbox[1] for f in art.frames]
    line_mm = 12.0
    label_mm = 0.075 * max(heights) if len(art.frames) > 1 else 0.0
    total_w = sum(f.bbox[2] - f.bbox[0] for f in art.frames) + 0.14 * max(heights) * (
        len(art.frames) - 1
    )
    total_h = max(heights) + label_mm * 1.6
    pad = 0.03 * max(total_w, total_h)
    lay = layout(art, total_w + 2 * pad, total_h + 2 * pad, label_size=label_mm, line_width=line_mm)
    view_w, view_h = total_w + 2 * pad, total_h + 2 * pad
    size_attrs = (
        f' width="{width_px}" height="{round(width_px * view_h / view_w)}"' if width_px else ""
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(view_w)} {_num(view_h)}"{size_attrs} '
        f'role="img" stroke-linejoin="round" stroke-linecap="round">',
        f"<title>{safe_title}</title>",
    ]
    accent = fills["arrow"]
    for index, (frame, (ox, oy)) in enumerate(zip(art.frames, lay.origins, strict=True)):
        tx = ox - frame.bbox[0] * lay.scale
        ty = view_h - (oy - frame.bbox[1] * lay.scale)
        out.append(
            f'<g transform="translate({_num(tx)} {_num(ty)}) scale({_num(lay.scale)} {_num(-lay.scale)})">'
        )
        stored = art.svg_paths[index] if art.svg_paths is not None else None
        for number, shape in enumerate(frame.shapes):
            data = stored[number] if stored is not None else svg_path_data(shape.path)
            attrs = [f'd="{data}"']
            attrs.append(f'fill="{fills[shape.fill]}"' if shape.fill else 'fill="none"')
            if shape.stroke:
                factor, hex_color = STROKES[shape.stroke]
                attrs.append(
                    f'stroke="{hex_color or accent}" stroke-width="{_num(factor * line_mm)}"'
                )
            out.append(f"<path {' '.join(attrs)}/>")
        out.append("</g>")
    if len(art.frames) > 1:
        for frame, (cx, cy) in zip(art.frames, lay.label_centres, strict=True):
            if frame.label:
                out.append(
                    f'<text x="{_num(cx)}" y="{_num(view_h - cy)}" font-family="Helvetica, Arial, sans-serif" '
                    f'font-size="{_num(label_mm)}" text-anchor="middle" fill="{LABEL_HEX}">{escape(frame.label)}</text>'
                )
    out.append("</svg>")
    return "".join(out)
