"""PDF path and colour operators written as strings (see README.md: why not reportlab's path objects)."""

from reportlab.lib.colors import Color

from .writer import fill_op


def num(value: float) -> str:
    """A length to 0.1 pt (0.04 mm, finer than any printer), without a trailing ".0"."""
    text = f"{value:.1f}"
    if text[-1] == "0":
        text = text[:-2]
        if text == "-0":
            return "0"
    return text


def path_ops(x: float, y: float, width: float, height: float, radius: float = 0.0) -> str:
    """PDF path operators for a rectangle (rounded when `radius`), bottom-left at (x, y).

    Written directly (and drawn with canvas.addLiteral) because reportlab's general number
    formatting dominated the render time for the many small shapes of a handout. Straight
    edges that a full radius leaves with no length (pills, round badges) are left out.
    """
    if not radius:
        return f"{num(x)} {num(y)} {num(width)} {num(height)} re"
    r = min(radius, width / 2, height / 2)
    k = r * 0.4477  # distance of the Bezier control points from the corner (1 - 0.5523)
    x0, y0, x1, y1 = num(x), num(y), num(x + width), num(y + height)
    xr0, xr1, yr0, yr1 = num(x + r), num(x + width - r), num(y + r), num(y + height - r)
    xk0, xk1, yk0, yk1 = num(x + k), num(x + width - k), num(y + k), num(y + height - k)
    ops = [f"{xr0} {y0} m"]
    if xr1 != xr0:
        ops.append(f"{xr1} {y0} l")
    ops.append(f"{xk1} {y0} {x1} {yk0} {x1} {yr0} c")
    if yr1 != yr0:
        ops.append(f"{x1} {yr1} l")
    ops.append(f"{x1} {yk1} {xk1} {y1} {xr1} {y1} c")
    if xr1 != xr0:
        ops.append(f"{xr0} {y1} l")
    ops.append(f"{xk0} {y1} {x0} {yk1} {x0} {yr1} c")
    if yr1 != yr0:
        ops.append(f"{x0} {yr0} l")
    ops.append(f"{x0} {yk0} {xk0} {y0} {xr0} {y0} c h")
    return " ".join(ops)


def color_op(color: Color, op: str) -> str:
    return fill_op(color)[:-2] + op


def _is_pill(shape) -> bool:
    thickness = min(shape.width, shape.height)
    return shape.fill is not None and shape.radius_pt * 2 >= thickness - 0.01 and thickness > 0


def _pill_segment(shape, left: float, bottom: float) -> str:
    """A fully rounded shape as the centre line a round-capped stroke of its thickness draws."""
    r = min(shape.width, shape.height) / 2
    if shape.width >= shape.height:
        y_mid = num(bottom + r)
        return f"{num(left + r)} {y_mid} m {num(left + shape.width - r)} {y_mid} l"
    x_mid = num(left + r)
    return f"{x_mid} {num(bottom + r)} m {x_mid} {num(bottom + shape.height - r)} l"


def _pill_look(shape) -> tuple:
    return (shape.fill, shape.stroke, min(shape.width, shape.height), shape.line_pt)


def _apart(shapes) -> bool:
    """No two of `shapes` overlap (so drawing all their borders before all their fills looks the
    same as drawing them one by one)."""
    for index, a in enumerate(shapes):
        for b in shapes[:index]:
            if a.x < b.x + b.width and b.x < a.x + a.width:
                if a.y < b.y + b.height and b.y < a.y + a.height:
                    return False
    return True


def _pill_runs(shapes):
    """`shapes` in order, runs of consecutive pills that look alike and lie apart grouped."""
    run: list = []
    for shape in shapes:
        if _is_pill(shape):
            if run and _pill_look(shape) == _pill_look(run[0]) and _apart([*run, shape]):
                run.append(shape)
                continue
            if run:
                yield run
            run = [shape]
            continue
        if run:
            yield run
            run = []
        yield shape
    if run:
        yield run


def shape_ops(shapes, x: float, y_top: float) -> str:
    """All of a layout's shapes as one string of PDF operators, inside q/Q.

    Colours and widths are written only when they change. A fully rounded shape (a pill or
    a round badge) is drawn as a straight stroke with round caps, which is exactly that shape:
    two short strokes (border, then fill) instead of eight curve segments; a row of alike pills
    (the dose chips) is one path per layer, all borders, then all fills.
    """
    ops = ["q"]
    fill = stroke = width = cap = None
    for item in _pill_runs(shapes):
        if isinstance(item, list):
            if cap != 1:
                cap = 1
                ops.append("1 J")
            first = item[0]
            thickness = min(first.width, first.height)
            path = " ".join(
                _pill_segment(pill, x + pill.x, y_top - pill.y - pill.height) for pill in item
            )
            layers = [(first.fill, thickness)]
            if first.stroke is not None:
                layers = [
                    (first.stroke, thickness + first.line_pt),
                    (first.fill, thickness - first.line_pt),
                ]
            for color, line in layers:
                op = color_op(color, "RG")
                if op != stroke:
                    stroke = op
                    ops.append(op)
                if line != width:
                    width = line
                    ops.append(f"{num(line)} w")
                ops.append(path + " S")
            continue
        shape = item
        bottom = y_top - shape.y - shape.height
        left = x + shape.x
        if shape.fill is not None:
            op = fill_op(shape.fill)
            if op != fill:
                fill = op
                ops.append(op)
        if shape.stroke is not None:
            op = color_op(shape.stroke, "RG")
            if op != stroke:
                stroke = op
                ops.append(op)
            if shape.line_pt != width:
                width = shape.line_pt
                ops.append(f"{num(width)} w")
            if cap not in (None, 0):
                cap = 0
                ops.append("0 J")
        if shape.height == 0.0:
            ops.append(f"{num(left)} {num(bottom)} m {num(left + shape.width)} {num(bottom)} l S")
            continue
        paint = "S" if shape.fill is None else "f" if shape.stroke is None else "B"
        ops.append(f"{path_ops(left, bottom, shape.width, shape.height, shape.radius_pt)} {paint}")
    ops.append("Q")
    return "\n".join(ops)
