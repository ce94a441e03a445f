"""Answer "the total number of blocks" / "how many dots are shown" by counting drawn things: a
read step whose answer asks for a count of something the page draws, not writes.

A shape noun ("circles", "squares") picks its shapes (`shape_queries`); any other noun
("blocks", "items", "dots") counts the drawn things of the most common size, so the frames of
fields and buttons and the glyphs of an operator between groups are left out.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from perception.screen.shape_queries import describe, select
from perception.screen.shapes import Shape, find_shapes
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

SIZE_SLACK = 3  # pixels two drawn things may differ by and still be "of one size"
MIN_SIDE = 4  # smaller marks are specks, not things to count


def count_drawn(shapes: list[Shape], noun: str) -> int:
    """How many of `shapes` the noun names (a shape noun), else the most common size's
    filled, non-glyph shapes (the things drawn many times)."""
    query = describe(noun)
    if query is not None and query.noun not in (None, "any", "digit", "letter", "any_glyph"):
        return len([s for s in select(query, shapes) if s.kind != "glyph"])
    things = [
        s
        for s in shapes
        if s.filled and s.kind not in ("glyph", "line") and min(_sides(s)) >= MIN_SIDE
    ]
    if not things:
        return 0
    sizes = Counter((_sides(s)[0] // SIZE_SLACK, _sides(s)[1] // SIZE_SLACK) for s in things)
    common, _ = sizes.most_common(1)[0]
    return sum(
        abs(_sides(s)[0] // SIZE_SLACK - common[0]) <= 1
        and abs(_sides(s)[1] // SIZE_SLACK - common[1]) <= 1
        for s in things
    )


def _sides(s: Shape) -> tuple[int, int]:
    return s.box[2] - s.box[0], s.box[3] - s.box[1]


def count_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """A read step asking for a count of drawn things (the grammar's manner "count"): the count
    becomes the plan's answer (None: the step is done); NOT_MINE for any other step or when
    nothing is drawn."""
    step = state.step
    if step.manner != "count" or step.target is None or not step.target.text:
        return NOT_MINE
    h, w = view.frame.shape[:2]
    shapes = find_shapes(view.frame, (0, view.banner_bottom(), w, h))
    n = count_drawn(shapes, step.target.text)
    if n == 0:
        return NOT_MINE
    policy._answer = str(n)
    notes["answer"] = policy._answer
    notes["counted"] = f"{step.target.text}: {n}"
    return None
