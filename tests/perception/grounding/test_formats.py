"""Grounding format parsers: round trips through each convention, real replies, repair, errors.

Round trips write a point the way a model would (observation -> CoordinateFrame ->
the format's text, numbers rounded to the precision the model writes) and parse it
back. The result lies within 1 px of the original, or within half a model unit where
the model's grid is coarser than the observation (0-1000 on a 3840-wide frame is
3.84 px per unit): that error is the model's quantization, not the parser's.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.actions import Click, Drag, format_action, parse_action
from contracts.errors import GroundingError
from perception.grounding import Box, Grounding, Point
from perception.grounding.formats import (
    FORMATS,
    parse_grounding,
    parse_qwen_json,
    parse_uitars,
    repair_reply,
)
from perception.grounding.resize import CoordinateFrame

# (factor, min_pixels, max_pixels): Qwen2-VL defaults, Qwen2.5-VL config, UI-TARS-1.5, Qwen3-VL.
RESIZE_PRESETS = [
    (28, 56 * 56, 14 * 14 * 4 * 1280),
    (28, 3136, 12845056),
    (28, 100 * 28 * 28, 16384 * 28 * 28),
    (32, 64 * 32 * 32, 16384 * 32 * 32),
]


@st.composite
def frames(draw, kinds=("pixels", "norm1000")) -> CoordinateFrame:
    """An observation of 64..3840 x 64..2160 pixels under one model coordinate convention."""
    w, h = draw(st.integers(64, 3840)), draw(st.integers(64, 2160))
    kind = draw(st.sampled_from(kinds))
    if kind == "pixels":
        factor, lo, hi = draw(st.sampled_from(RESIZE_PRESETS))
        return CoordinateFrame.smart_resized(w, h, factor, lo, hi)
    return CoordinateFrame.normalized(kind, w, h)


@st.composite
def scenes(draw, kinds=("pixels", "norm1000")) -> tuple[CoordinateFrame, float, float]:
    frame = draw(frames(kinds))
    w, h = frame.obs_size
    return frame, draw(st.floats(0, w - 1)), draw(st.floats(0, h - 1))


def emit(frame: CoordinateFrame, x: float, y: float, step: float = 1.0, top: float | None = None):
    """Model units for observation (x, y), rounded to `step` like a model writes them."""
    mx, my = frame.from_observation(x, y)
    mx, my = round(mx / step) * step, round(my / step) * step
    if top is not None:
        mx, my = min(mx, top), min(my, top)
    return mx, my


def assert_near(p: Point, x: float, y: float, frame: CoordinateFrame, step: float = 1.0) -> None:
    ux, uy = frame.unit_px
    assert abs(p.x - x) <= max(1.0, step * ux / 2) + 1e-6
    assert abs(p.y - y) <= max(1.0, step * uy / 2) + 1e-6


def num(v: float, step: float = 1.0) -> str:
    return str(int(v)) if step == 1.0 else f"{v:.{len(str(step).split('.')[1])}f}"


# --- round trips, one per format -------------------------------------------------------


@given(scenes())
def test_qwen_json_point_round_trips_within_a_pixel(scene):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    reply = f'```json\n[\n  {{"point_2d": [{num(mx)}, {num(my)}], "label": "submit"}}\n]\n```'
    g = parse_grounding(reply, frame)
    assert g.format == "qwen_json" and not g.clamped and not g.repaired
    assert g.points[0].label == "submit"
    assert_near(g.points[0], x, y, frame)


@given(scenes(), st.data())
def test_qwen_json_box_round_trips_within_a_pixel(scene, data):
    frame, x0, y0 = scene
    w, h = frame.obs_size
    x1, y1 = data.draw(st.floats(x0, w - 1)), data.draw(st.floats(y0, h - 1))
    a, b = emit(frame, x0, y0), emit(frame, x1, y1)
    reply = json.dumps({"bbox_2d": [int(a[0]), int(a[1]), int(b[0]), int(b[1])], "label": "cat"})
    (box,) = parse_grounding(reply, frame).boxes
    assert_near(Point(box.x0, box.y0), x0, y0, frame)
    assert_near(Point(box.x1, box.y1), x1, y1, frame)
    assert box.label == "cat"


@given(scenes())
def test_qwen_computer_use_click_round_trips_to_a_click_action(scene):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    args = {"action": "left_click", "coordinate": [int(mx), int(my)]}
    reply = f"<tool_call>\n{json.dumps({'name': 'computer_use', 'arguments': args})}\n</tool_call>"
    g = parse_grounding(reply, frame)
    assert g.format == "tool_call"
    assert_near(g.points[0], x, y, frame)
    assert g.action == format_action(Click(g.points[0].x, g.points[0].y))
    assert g.tool_call == {"name": "computer_use", "arguments": args}


@given(scenes())
def test_openai_function_call_round_trips(scene):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    call = {"name": "click", "arguments": json.dumps({"x": int(mx), "y": int(my)})}
    reply = json.dumps({"tool_calls": [{"type": "function", "function": call}]})
    g = parse_grounding(reply, frame)
    assert g.format == "tool_call" and parse_action(g.action).name == "click"
    assert_near(g.points[0], x, y, frame)


@given(scenes(kinds=("pixels",)))
def test_box_tokens_are_0_to_1000_whatever_the_frame_says(scene):
    frame, x, y = scene
    norm = frame.with_kind("norm1000")
    mx, my = emit(norm, x, y)
    g = parse_grounding(f"<|box_start|>({int(mx)},{int(my)})<|box_end|>", frame)
    assert g.format == "box_tokens"
    assert_near(g.points[0], x, y, norm)


@given(scenes(), st.data())
def test_box_tokens_box_round_trips(scene, data):
    frame, x0, y0 = scene
    norm = frame.with_kind("norm1000")
    x1 = data.draw(st.floats(x0, frame.obs_size[0] - 1))
    y1 = data.draw(st.floats(y0, frame.obs_size[1] - 1))
    a, b = emit(norm, x0, y0), emit(norm, x1, y1)
    reply = (
        "<|object_ref_start|>search box<|object_ref_end|>"
        f"<|box_start|>({int(a[0])},{int(a[1])}),({int(b[0])},{int(b[1])})<|box_end|><|im_end|>"
    )
    (box,) = parse_grounding(reply, frame).boxes
    assert box.label == "search box"
    assert_near(Point(box.x0, box.y0), x0, y0, norm)
    assert_near(Point(box.x1, box.y1), x1, y1, norm)


@given(scenes(), st.sampled_from(["'({x},{y})'", "'<|box_start|>({x},{y})<|box_end|>'"]))
def test_uitars_click_round_trips_in_the_frames_units(scene, box):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    arg = box.format(x=int(mx), y=int(my))
    reply = f"Thought: The login button is top right.\nAction: click(start_box={arg})"
    g = parse_grounding(reply, frame)
    assert g.format == "uitars" and parse_action(g.action).name == "click"
    assert_near(g.points[0], x, y, frame)


@given(scenes(), st.data())
def test_uitars_drag_round_trips_to_a_drag_action(scene, data):
    frame, x0, y0 = scene
    x1 = data.draw(st.floats(0, frame.obs_size[0] - 1))
    y1 = data.draw(st.floats(0, frame.obs_size[1] - 1))
    a, b = emit(frame, x0, y0), emit(frame, x1, y1)
    reply = (
        f"Action: drag(start_box='({int(a[0])},{int(a[1])})', end_box='({int(b[0])},{int(b[1])})')"
    )
    g = parse_grounding(reply, frame)
    start, end = g.points
    assert_near(start, x0, y0, frame)
    assert_near(end, x1, y1, frame)
    assert g.action == format_action(Drag(start.x, start.y, end.x, end.y))


@given(scenes())
def test_point_tag_round_trips_in_the_frames_units(scene):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    g = parse_grounding(f"<point>{int(mx)} {int(my)}</point>", frame)
    assert g.format == "point_tag"
    assert_near(g.points[0], x, y, frame)


@given(scenes())
def test_loc_tokens_point_round_trips_y_first(scene):
    frame, x, y = scene
    loc = frame.with_kind("loc1024")
    mx, my = emit(loc, x, y, top=1023)
    g = parse_grounding(f"<loc{int(my):04d}><loc{int(mx):04d}>", frame)
    assert g.format == "loc_tokens"
    # The top token 1023 stops one unit short of the far edge, so allow a full unit there.
    ux, uy = loc.unit_px
    assert abs(g.points[0].x - x) <= max(1.0, ux) + 1e-6
    assert abs(g.points[0].y - y) <= max(1.0, uy) + 1e-6


@given(scenes(), st.data())
def test_loc_tokens_box_round_trips_y0_x0_y1_x1(scene, data):
    frame, x0, y0 = scene
    loc = frame.with_kind("loc1024")
    x1 = data.draw(st.floats(x0, frame.obs_size[0] - 1))
    y1 = data.draw(st.floats(y0, frame.obs_size[1] - 1))
    (a0, b0), (a1, b1) = emit(loc, x0, y0, top=1023), emit(loc, x1, y1, top=1023)
    reply = f"<loc{int(b0):04d}><loc{int(a0):04d}><loc{int(b1):04d}><loc{int(a1):04d}> cat"
    (box,) = parse_grounding(reply, frame).boxes
    ux, uy = loc.unit_px
    assert box.label == "cat"
    assert abs(box.x0 - x0) <= max(1.0, ux) + 1e-6 and abs(box.y0 - y0) <= max(1.0, uy) + 1e-6
    assert abs(box.x1 - x1) <= max(1.0, ux) + 1e-6 and abs(box.y1 - y1) <= max(1.0, uy) + 1e-6


@given(scenes())
def test_molmo_point_round_trips_in_percent(scene):
    frame, x, y = scene
    pct = frame.with_kind("norm100")
    mx, my = emit(pct, x, y, step=0.1)
    reply = f'<point x="{mx:.1f}" y="{my:.1f}" alt="Send button">Send button</point>'
    g = parse_grounding(reply, frame)
    assert g.format == "molmo" and g.points[0].label == "Send button"
    assert_near(g.points[0], x, y, pct, step=0.1)


@given(scenes())
def test_relative_tuple_round_trips(scene):
    frame, x, y = scene
    rel = frame.with_kind("norm1")
    mx, my = emit(rel, x, y, step=0.0001)
    g = parse_grounding(f"({mx:.4f}, {my:.4f})", frame)
    assert g.format == "relative"
    assert_near(g.points[0], x, y, rel, step=0.0001)


@given(scenes())
def test_handeye_action_round_trips_through_the_frame(scene):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    g = parse_grounding(f"double_click({int(mx)}, {int(my)})", frame)
    assert g.format == "handeye"
    assert_near(g.points[0], x, y, frame)
    assert g.action == f"double_click({round(g.points[0].x)}, {round(g.points[0].y)})"


@given(scenes())
def test_plain_bracketed_pair_round_trips(scene):
    frame, x, y = scene
    mx, my = emit(frame, x, y)
    g = parse_grounding(f"[{int(mx)}, {int(my)}]", frame)
    assert g.format == "plain"
    assert_near(g.points[0], x, y, frame)


@given(frames(kinds=("pixels", "norm1000", "norm1", "norm100", "loc1024")), st.data())
def test_parsed_points_always_round_to_a_pixel_inside_the_observation(frame, data):
    w, h = frame.obs_size
    sx, sy = frame.span
    mx = data.draw(st.floats(-0.09 * sx, 1.09 * sx))
    my = data.draw(st.floats(-0.09 * sy, 1.09 * sy))
    g = parse_grounding(json.dumps({"point_2d": [mx, my]}), frame)
    p = g.points[0]
    assert 0 <= round(p.x) <= w - 1 and 0 <= round(p.y) <= h - 1
    ox, oy = frame.to_observation(mx, my)
    assert g.clamped == (not (0 <= ox <= w and 0 <= oy <= h))


# --- realistic replies of each model family --------------------------------------------

QWEN25 = CoordinateFrame.smart_resized(1920, 1080)  # model image 1316x728
QWEN3 = CoordinateFrame.normalized("norm1000", 1920, 1080)
SCREEN = CoordinateFrame.identity(1000, 500)


def qwen_tool(**arguments) -> str:
    call = {"name": "computer_use", "arguments": arguments}
    return f"<tool_call>\n{json.dumps(call)}\n</tool_call>"


def test_qwen25_detection_list_gives_every_labelled_box_in_observation_pixels():
    reply = (
        "```json\n[\n"
        '\t{"bbox_2d": [135, 114, 1016, 672], "label": "chair"},\n'
        '\t{"bbox_2d": [0, 0, 658, 364], "label": "lamp"}\n]\n```'
    )
    g = parse_grounding(reply, QWEN25)
    assert [b.label for b in g.boxes] == ["chair", "lamp"]
    lamp = g.boxes[1]
    assert (lamp.x0, lamp.y0, lamp.x1, lamp.y1) == pytest.approx((0, 0, 960, 540))
    assert g.target == g.boxes[0].center and g.action is None


@pytest.mark.parametrize(
    ("arguments", "action"),
    [
        ({"action": "left_click", "coordinate": [658, 364]}, "click(960, 540)"),
        ({"action": "right_click", "coordinate": [658, 364]}, 'click(960, 540, button="right")'),
        ({"action": "double_click", "coordinate": [0, 0]}, "double_click(0, 0)"),
        ({"action": "mouse_move", "coordinate": [658, 0]}, "hover(960, 0)"),
        ({"action": "type", "text": "hello world"}, 'type("hello world")'),
        ({"action": "key", "keys": ["Control", "Shift", "t"]}, 'key("ctrl+shift+t")'),
        ({"action": "key", "keys": ["Return"]}, 'key("Enter")'),
        ({"action": "scroll", "pixels": -3}, "scroll(0, 3)"),
        (
            {"action": "scroll", "pixels": 2, "coordinate": [658, 364]},
            "scroll(0, -2, x=960, y=540)",
        ),
        ({"action": "hscroll", "pixels": 4}, "scroll(4, 0)"),
        ({"action": "wait", "time": 2}, "wait(2.0)"),
        ({"action": "answer", "text": "42"}, 'done("42")'),
        ({"action": "terminate", "status": "success"}, "done()"),
    ],
)
def test_qwen25_computer_use_actions_map_to_handeye_actions(arguments, action):
    g = parse_grounding(qwen_tool(**arguments), QWEN25)
    assert g.action == action
    assert g.tool_call["arguments"] == arguments


def test_qwen_left_click_drag_without_start_keeps_the_point_but_names_no_action():
    g = parse_grounding(qwen_tool(action="left_click_drag", coordinate=[658, 364]), QWEN25)
    (p,) = g.points
    assert g.action is None and (p.x, p.y) == pytest.approx((960, 540))


def test_qwen3_tool_call_in_0_to_1000_uses_the_norm1000_frame():
    g = parse_grounding(qwen_tool(action="left_click", coordinate=[500, 500]), QWEN3)
    assert g.action == "click(960, 540)"


def test_mobile_use_swipe_becomes_a_drag():
    reply = qwen_tool(action="swipe", coordinate=[0, 0], coordinate2=[658, 364])
    assert parse_grounding(reply, QWEN25).action == "drag(0, 0, 960, 540)"


def test_anthropic_computer_tool_input_maps_scroll_direction_and_amount():
    reply = json.dumps(
        {"action": "scroll", "coordinate": [10, 20], "scroll_direction": "up", "scroll_amount": 3}
    )
    assert parse_grounding(reply, SCREEN).action == "scroll(0, -3, x=10, y=20)"


def test_openai_tool_calls_with_string_arguments_map_to_type():
    reply = json.dumps(
        {
            "tool_calls": [
                {
                    "type": "function",
                    "function": {"name": "type_text", "arguments": '{"text": "hi"}'},
                }
            ]
        }
    )
    g = parse_grounding(reply, SCREEN)
    assert g.action == 'type("hi")' and g.tool_call == {
        "name": "type_text",
        "arguments": {"text": "hi"},
    }


def test_unknown_tool_is_kept_as_a_tool_call_without_an_action():
    g = parse_grounding('{"name": "open_app", "arguments": {"app_name": "Settings"}}', SCREEN)
    assert g.format == "tool_call" and g.action is None and g.tool_call["name"] == "open_app"


UITARS = CoordinateFrame.smart_resized(1920, 1080, 28, 100 * 28 * 28, 16384 * 28 * 28)  # 1932x1092


@pytest.mark.parametrize(
    ("call", "action"),
    [
        ("click(start_box='(966,546)')", "click(960, 540)"),
        ("click(start_box='<|box_start|>(966,546)<|box_end|>')", "click(960, 540)"),
        ("left_double(start_box='(0,0)')", "double_click(0, 0)"),
        ("right_single(start_box='(966,546)')", 'click(960, 540, button="right")'),
        ("hover(start_box='(966,546)')", "hover(960, 540)"),
        ("click(start_box='(900,500,1032,592)')", "click(960, 540)"),
        ("type(content='user@example.com\\n')", 'type("user@example.com\\n")'),
        ("hotkey(key='ctrl c')", 'key("ctrl+c")'),
        ("hotkey(key='enter')", 'key("Enter")'),
        ("scroll(start_box='(966,546)', direction='down')", "scroll(0, 5, x=960, y=540)"),
        ("scroll(start_box='(966,546)', direction='left')", "scroll(-5, 0, x=960, y=540)"),
        ("drag(start_box='(0,0)', end_box='(966,546)')", "drag(0, 0, 960, 540)"),
        ("wait()", "wait(5.0)"),
        ("finished(content='The price is $12')", 'done("The price is $12")'),
        ("finished()", "done()"),
    ],
)
def test_uitars_actions_map_to_handeye_actions(call, action):
    reply = f"Thought: I should act on the page.\nAction: {call}"
    g = parse_grounding(reply, UITARS)
    assert (g.format, g.action) == ("uitars", action)


def test_uitars_parses_the_action_line_not_calls_mentioned_in_the_thought():
    reply = "Thought: click(start_box='(0,0)') failed before.\nAction: click(start_box='(966,546)')"
    assert parse_uitars(reply, UITARS).action == "click(960, 540)"


def test_uitars_call_user_keeps_the_call_without_an_action():
    g = parse_grounding("Thought: I need a password.\nAction: call_user()", UITARS)
    assert g.action is None and g.tool_call == {"name": "call_user", "arguments": {}}


def test_os_atlas_box_tokens_with_object_ref_label():
    reply = (
        "<|object_ref_start|>language switch<|object_ref_end|>"
        "<|box_start|>(576,12),(592,42)<|box_end|><|im_end|>"
    )
    (box,) = parse_grounding(reply, QWEN25).boxes
    assert box.label == "language switch"
    assert (box.x0, box.y0, box.x1, box.y1) == pytest.approx((1105.92, 12.96, 1136.64, 45.36))


def test_paligemma_detection_gives_labelled_boxes_y_first():
    frame = CoordinateFrame.normalized("loc1024", 1024, 512)
    reply = "<loc0256><loc0128><loc0768><loc0896> cat ; <loc0000><loc0000><loc1023><loc1023> sofa"
    cat, sofa = parse_grounding(reply, frame).boxes
    assert cat == Box(128, 128, 896, 384, "cat")
    assert sofa == Box(0, 0, 1023, 511.5, "sofa")


def test_loc_run_that_may_be_half_a_box_is_not_read_as_a_point():
    with pytest.raises(GroundingError):
        parse_grounding("<loc0256><loc0128><loc07", SCREEN)
    g = parse_grounding("<loc0256><loc0128><loc0768><loc0896> cat ; <loc0100><loc0100>", SCREEN)
    assert len(g.boxes) == 1 and not g.points
    assert parse_grounding("<loc0512><loc0256> knob", SCREEN).points == (Point(250, 250, "knob"),)


def test_molmo_points_give_one_point_per_index():
    reply = '<points x1="10.0" y1="20.0" x2="50.5" y2="80.0" alt="eyes">eyes</points>'
    g = parse_grounding(reply, SCREEN)
    assert [(p.x, p.y, p.label) for p in g.points] == [(100, 100, "eyes"), (505, 400, "eyes")]


def test_seeclick_and_showui_relative_replies():
    assert parse_grounding("(0.49,0.40)", SCREEN).points[0] == Point(490, 200)
    assert parse_grounding("[0.73, 0.21]", SCREEN).points[0] == Point(730, 105)


def test_seed_point_and_bbox_tags_follow_the_frame():
    frame = CoordinateFrame.normalized("norm1000", 1000, 500)
    assert parse_grounding("<point>250 500</point>", frame).points[0] == Point(250, 250)
    (box,) = parse_grounding("<bbox>100 100 300 200</bbox>", frame).boxes
    assert box == Box(100, 50, 300, 100)


def test_restricting_formats_skips_the_others():
    reply = '{"point_2d": [10, 20]} <point x="50" y="50" alt="x">x</point>'
    assert parse_grounding(reply, SCREEN).format == "qwen_json"
    assert parse_grounding(reply, SCREEN, formats=["molmo"]).points[0] == Point(500, 250, "x")


def test_coordinates_drafted_in_a_think_block_are_ignored():
    reply = (
        '<think>Maybe {"point_2d": [1, 1]}? No, the button is lower.</think>{"point_2d": [10, 20]}'
    )
    assert parse_grounding(reply, SCREEN).points == (Point(10, 20),)
    with pytest.raises(GroundingError):
        parse_grounding('<think>{"point_2d": [1, 1]} is a guess</think> I am not sure.', SCREEN)


def test_parse_records_its_time_and_keeps_the_original_text():
    reply = '  {"point_2d": [10, 20]}  '
    g = parse_grounding(reply, SCREEN)
    assert g.raw_text == reply and g.timings["parse"] >= 0


# --- out-of-frame coordinates ----------------------------------------------------------


def test_slight_overshoot_is_clamped_onto_the_edge_and_recorded():
    g = parse_grounding('{"point_2d": [1004, -3]}', QWEN3)
    assert g.clamped and g.points[0] == Point(1919, 0)
    (box,) = parse_grounding('{"bbox_2d": [900, 900, 1030, 1010]}', QWEN3).boxes
    assert (box.x1, box.y1) == (1920, 1080)


def test_inside_the_frame_is_not_marked_clamped():
    g = parse_grounding('{"point_2d": [1000, 1000]}', QWEN3)
    assert not g.clamped and g.points[0] == Point(1919, 1079)


def test_coordinates_far_outside_the_frame_raise_instead_of_clicking_an_edge():
    # A model answering in the 3840-wide screenshot's pixels while the frame says it saw
    # the smart-resized image (about 1316 wide): the classic convention mix-up.
    frame = CoordinateFrame.smart_resized(3840, 2160)
    with pytest.raises(GroundingError, match="another coordinate convention"):
        parse_grounding(qwen_tool(action="left_click", coordinate=[3000, 1500]), frame)
    with pytest.raises(GroundingError, match="norm1000.*Reply: '<point>1500 20</point>'"):
        parse_grounding("<point>1500 20</point>", QWEN3)


# --- repair ----------------------------------------------------------------------------


def test_unclosed_fence_and_object_are_repaired_and_marked():
    reply = '```json\n{"point_2d": [658, 364], "label": "ok"'
    g = parse_grounding(reply, QWEN25)
    assert g.repaired and g.points[0].label == "ok" and g.raw_text == reply


def test_complete_objects_in_a_cut_off_list_parse_without_repair():
    reply = '```json\n[{"point_2d": [658, 364], "label": "ok"}, {"point_2d": [1'
    g = parse_grounding(reply, QWEN25)
    assert [p.label for p in g.points] == ["ok"] and not g.repaired


def test_tool_call_missing_its_closing_braces_and_tag_is_repaired():
    reply = (
        '<tool_call>\n{"name": "computer_use", "arguments": {"action": "key", "keys": ["ctrl", "a"]'
    )
    g = parse_grounding(reply, QWEN25)
    assert g.repaired and g.action == 'key("ctrl+a")'


def test_single_quotes_trailing_commas_and_python_literals_are_repaired():
    reply = "[{'bbox_2d': [10, 20, 30, 40], 'label': \"Bob's \\\"tab\\\"\", 'visible': True,},]"
    fixed = repair_reply(reply)
    assert json.loads(fixed) == [
        {"bbox_2d": [10, 20, 30, 40], "label": 'Bob\'s "tab"', "visible": True}
    ]
    assert parse_grounding(reply, SCREEN).repaired


def test_uitars_call_missing_its_closing_paren_is_repaired():
    g = parse_grounding("Action: click(start_box='(966,546)'", UITARS)
    assert g.repaired and g.action == "click(960, 540)"


@pytest.mark.parametrize(
    "reply",
    [
        qwen_tool(action="left_click", coordinate=[658, 364])[:-30],  # cut inside the number
        "Action: click(start_box='(1092,54",
        "Action: type(content='hello wor",
        "<|box_start|>(576,12),(592,42)",
        '{"point_2d": [658, 364',
    ],
)
def test_a_reply_cut_off_mid_value_fails_instead_of_acting_on_a_guess(reply):
    with pytest.raises(GroundingError):
        parse_grounding(reply, QWEN25)


def test_repair_leaves_well_formed_replies_alone():
    assert repair_reply('{"point_2d": [1, 2]}') is None
    assert repair_reply("Action: click(start_box='(1,2)')") is None


TRUNCATABLE = [
    '```json\n[{"bbox_2d": [10, 20, 300, 400], "label": "a b"},'
    ' {"bbox_2d": [500, 60, 700, 80], "label": "c"}]\n```',
    qwen_tool(action="left_click", coordinate=[1240, 483]),
    qwen_tool(action="key", keys=["ctrl", "shift", "t"]),
    qwen_tool(action="scroll", pixels=-15, coordinate=[100, 200]),
    qwen_tool(action="type", text="order 66 now"),
    "Thought: go.\nAction: drag(start_box='(100,200)', end_box='(300,400)')",
    "Action: type(content='abc 123')",
    "<|object_ref_start|>x<|object_ref_end|><|box_start|>(576,12),(592,42)<|box_end|>",
    '<points x1="10.5" y1="20" x2="30" y2="40.25" alt="e">e</points>',
    "<point>500 300</point>",
    "(0.4215, 0.7731)",
    "[512, 384, 600, 410]",
    "click(1200, 640)",
    "scroll(0, -13, x=100, y=200)",
    qwen_tool(action="left_click_drag", start_coordinate=[10, 20], coordinate=[1240, 483]),
    qwen_tool(action="answer", text="It costs 12 dollars"),
    json.dumps(
        {"action": "scroll", "coordinate": [10, 20], "scroll_direction": "up", "scroll_amount": 13}
    ),
    json.dumps(
        {"type": "function", "function": {"name": "click", "arguments": '{"x": 1, "y": 2}'}}
    ),
    "Action: finished(content='The answer is 12345')",
    "<loc0256><loc0128><loc0768><loc0896> cat ; <loc0100><loc0100><loc0200><loc0200> dog",
]


def _coords(g: Grounding) -> set:
    return {(p.x, p.y) for p in g.points} | {(b.x0, b.y0, b.x1, b.y1) for b in g.boxes}


@pytest.mark.parametrize("reply", TRUNCATABLE)
def test_every_truncation_parses_to_a_subset_of_the_full_reply_or_fails(reply):
    full = parse_grounding(reply, QWEN25)
    # A reply cut after exactly two <loc> tokens reads as a point (documented): start later.
    first = reply.find("<loc0768>") + 1 if reply.startswith("<loc") else 0
    for end in range(first, len(reply)):
        try:
            part = parse_grounding(reply[:end], QWEN25)
        except GroundingError:
            continue
        assert _coords(part) <= _coords(full), reply[:end]
        assert part.action in (None, full.action), reply[:end]


# --- errors ----------------------------------------------------------------------------


def test_no_match_names_every_format_tried_and_shows_the_reply():
    with pytest.raises(GroundingError) as info:
        parse_grounding("I cannot see a submit button here.", SCREEN)
    message = str(info.value)
    assert all(name in message for name in FORMATS)
    assert "I cannot see a submit button here." in message


def test_no_match_with_chosen_formats_names_only_those_and_clips_long_replies():
    with pytest.raises(GroundingError) as info:
        parse_grounding("x" * 5000, SCREEN, formats=["molmo", "loc_tokens"])
    message = str(info.value)
    assert "molmo" in message and "loc_tokens" in message and "qwen_json" not in message
    assert "(5000 chars)" in message and len(message) < 1200


def test_unknown_format_name_is_refused():
    with pytest.raises(GroundingError, match="unknown grounding formats"):
        parse_grounding("(1, 2)", SCREEN, formats=["qwen_json", "gemini"])


@pytest.mark.parametrize(
    "reply",
    [
        qwen_tool(action="left_click"),
        qwen_tool(action="key", keys=[]),
        qwen_tool(action="scroll"),
        qwen_tool(action="wait", time=600),
        "Action: drag(start_box='(1,2)')",
        "Action: scroll(start_box='(1,2)', direction='sideways')",
    ],
)
def test_a_known_action_with_missing_or_bad_arguments_says_what_is_wrong(reply):
    with pytest.raises(GroundingError, match=r"needs|scroll|not a valid action|direction"):
        parse_grounding(reply, QWEN25)


def test_parsers_return_none_when_their_format_is_absent():
    assert parse_qwen_json("<point>1 2</point>", SCREEN) is None
    assert parse_uitars('{"point_2d": [1, 2]}', SCREEN) is None


# --- data types ------------------------------------------------------------------------


def test_box_from_corners_orders_them_and_center_keeps_the_label():
    box = Box.from_corners(30, 40, 10, 20, "ok")
    assert (box.x0, box.y0, box.x1, box.y1) == (10, 20, 30, 40)
    assert box.center == Point(20, 30, "ok") and (box.width, box.height) == (20, 20)


def test_invalid_points_and_boxes_are_refused():
    with pytest.raises(GroundingError):
        Point(float("nan"), 1)
    with pytest.raises(GroundingError):
        Box(30, 40, 10, 20)


def test_grounding_target_prefers_points_then_box_centres():
    assert Grounding().target is None
    assert Grounding(boxes=(Box(0, 0, 10, 10),)).target == Point(5, 5)
    assert Grounding(points=(Point(1, 2),), boxes=(Box(0, 0, 10, 10),)).target == Point(1, 2)
