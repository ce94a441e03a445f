"""The DOM view and action helpers the MiniWoB expert is built on (pure, no browser)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contracts.actions import Click, Key, Scroll, Type
from policies.experts.miniwob_dom import DomView, Node, click_clear_of, fill, point, reveal


def el(ref: int, parent: int | None, tag: str, box: tuple[float, float, float, float], **kw: Any):
    left, top, width, height = box
    return {"ref": ref, "parent": parent, "tag": tag, "left": left, "top": top, "width": width,
            "height": height, **kw}  # fmt: skip


def test_parents_follow_the_tree_when_a_stale_ref_repeats_a_fresh_one():
    # Body/#wrap/#area keep refs 7-9 from the last episode while new elements count from 1,
    # so ref 9 names both #area and a new <label>; the button belongs to #area.
    dom = DomView(
        [
            el(7, None, "BODY", (0, 0, 330, 210)),
            el(8, 7, "DIV", (0, 0, 160, 210), id="wrap"),
            el(9, 8, "DIV", (0, 50, 160, 136), id="area"),
            el(9, 9, "LABEL", (2, 131, 66, 11)),
            el(10, 9, "INPUT_radio", (7, 127, 20, 13), value=False),
            el(-5, 9, "t", (30, 131, 38, 11), text="afDGh0"),
            el(17, 9, "BUTTON", (2, 153, 101, 31), id="subbtn", text="Submit"),
        ]
    )
    label, button = dom.first("LABEL"), dom.by_id("subbtn")
    assert [n.tag for n in dom.children(label)] == ["INPUT_radio", "t"]
    assert dom.nodes[button.parent].id == "area"
    assert dom.text(label) == "afDGh0"
    assert dom.first("LABEL", text="afDGh0") == label


def test_find_filters_by_class_and_container():
    dom = DomView(
        [
            el(1, None, "DIV", (0, 0, 160, 210), id="main"),
            el(2, 1, "SPAN", (10, 10, 12, 12), classes="star clicked"),
            el(3, None, "SPAN", (10, 30, 12, 12), classes="star"),
        ]
    )
    main = dom.by_id("main")
    assert [n.ref for n in dom.find("SPAN", cls="star")] == [2, 3]
    assert [n.ref for n in dom.find("SPAN", cls="star", within=main)] == [2]
    assert dom.first(cls="clicked").ref == 2


def test_svg_class_objects_read_as_no_classes():
    node = Node.from_info(el(1, None, "text", (0, 0, 5, 5), classes={}), 0, None)
    assert node.classes == ""


def test_fill_focuses_then_selects_all_then_types():
    box = Node(0, None, 1, "INPUT_text", 10, 60, 100, 20, value="wrong", focused=False)
    assert isinstance(fill(box, "right", None), Click)
    focused = Node(0, None, 1, "INPUT_text", 10, 60, 100, 20, value="wrong", focused=True)
    assert fill(focused, "right", None) == Key("ctrl+a")
    assert fill(focused, "right", Key("ctrl+a")) == Type("right")
    done = Node(0, None, 1, "INPUT_text", 10, 60, 100, 20, value="right", focused=True)
    assert fill(done, "right", None) is None


def test_reveal_scrolls_towards_an_element_below_its_container():
    dom = DomView(
        [
            el(1, None, "DIV", (0, 50, 160, 150), id="area"),
            el(2, 1, "SPAN", (10, 330, 14, 14), classes="like"),
            el(3, 1, "SPAN", (10, 100, 14, 14), classes="reply"),
        ]
    )
    area = dom.by_id("area")
    scroll = reveal(dom, dom.first(cls="like"), area)
    assert isinstance(scroll, Scroll) and scroll.dy > 0
    assert area.top <= scroll.y < area.bottom
    assert reveal(dom, dom.first(cls="reply"), area) is None


boxes = st.tuples(st.floats(0, 150), st.floats(50, 200), st.floats(2, 100), st.floats(2, 100)).map(
    lambda b: Node(0, None, 1, "BUTTON", *b)
)


@given(boxes, st.floats(-50, 50), st.floats(-50, 50))
def test_point_stays_inside_the_box(node, dx, dy):
    x, y = point(node, dx, dy)
    assert node.left - 1 <= x <= node.left + node.width
    assert node.top - 1 <= y <= node.top + node.height


@given(boxes, boxes)
def test_click_clear_of_never_lands_on_the_cover(target, cover):
    cover = Node(1, None, 2, "BUTTON", cover.left, cover.top, cover.width, cover.height)
    action = click_clear_of(target, [cover])
    if action is not None:
        assert not (
            cover.left <= action.x <= cover.left + cover.width
            and cover.top <= action.y <= cover.bottom
        )
