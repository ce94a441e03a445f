"""Icons on a real page: the glyph finder cuts them out, the classifier (never trained on Font
Awesome) names them, and a plan target that names an icon grounds on the right one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from perception.instructions.plan import Target
from perception.screen import icons

ICONS = Path(__file__).parent / "data" / "icons"
# Held-out Font Awesome icons and the class a person means by each.
CLASS_OF = {
    "trash-can": "delete", "star": "star", "reply": "reply", "heart": "like", "ellipsis": "more",
    "retweet": "retweet", "magnifying-glass": "search", "gear": "settings", "paper-plane": "send",
}  # fmt: skip


def _icon(name: str, size: int, colour: str) -> str:
    svg = (ICONS / f"{name}.svg").read_text()
    style = f"color:{colour};width:{size}px;height:{size}px"
    return f'<span class="i" data-icon="{name}" style="{style}">{svg}</span>'


def _page() -> str:
    grey, red = "#888", "#d33"
    rows = "".join(
        f'<div class="row"><b>{who}</b><span>Lunch on Friday?</span>'
        f"{_icon('star', 14, grey)}{_icon('trash-can', 14, grey)}</div>"
        for who in ("Ana", "Bob", "Cleo")
    )
    posts = "".join(
        f'<div class="post"><b>{who}</b> {user}<p>{text}</p><div class="acts">'
        + "".join(_icon(n, 15, "#999") for n in ("reply", "retweet", "heart", "ellipsis"))
        + "</div></div>"
        for who, user, text in (("Kim", "@kim", "Sunny today."), ("Lee", "@lee", "New post up."))
    )
    tools = _icon("magnifying-glass", 16, "#fff") + _icon("gear", 16, "#fff")
    bar = f'<div class="bar" style="background:{red}">Inbox{tools}</div>'
    gap = '<span style="display:inline-block;width:200px"></span>'
    form = f'<div class="form">To: {gap}{_icon("paper-plane", 16, "#777")}</div>'
    return f"""<!doctype html><html><head><style>
    body {{ margin: 0; font: 14px sans-serif; width: 480px; }}
    .i {{ display: inline-block; margin: 0 10px; vertical-align: middle; }}
    .i svg {{ width: 100%; height: 100%; display: block; }}
    .bar {{ color: #fff; padding: 8px; font-size: 18px; }}
    .row {{ padding: 8px; border-bottom: 1px solid #ddd; }} .row b {{ margin-right: 12px; }}
    .row span:nth-of-type(1) {{ margin-right: 40px; }}
    .post {{ padding: 8px 8px 4px; border-bottom: 1px solid #ddd; }} .post p {{ margin: 4px 0; }}
    .acts .i {{ margin: 2px 22px 2px 6px; }} .form {{ padding: 10px; }}
    </style></head><body>{bar}{rows}{posts}{form}</body></html>"""


@pytest.fixture(scope="module")
def page_shot(browser_pool) -> tuple[np.ndarray, dict[str, list[tuple[int, int, int, int]]]]:
    """A screenshot of the page and where each icon was drawn (from the DOM: test labels)."""
    handle = browser_pool.new_page(480, 520)
    try:
        handle.page.set_content(_page())
        boxes: dict[str, list[tuple[int, int, int, int]]] = {}
        for el in handle.page.query_selector_all(".i"):
            b = el.bounding_box()
            name = el.get_attribute("data-icon")
            box = (int(b["x"]), int(b["y"]), int(b["x"] + b["width"]), int(b["y"] + b["height"]))
            boxes.setdefault(name, []).append(box)
        return handle.screenshot(), boxes
    finally:
        handle.close()


@pytest.fixture(scope="module")
def parse(page_shot):
    from perception.screen.parser import ScreenParser

    parser = ScreenParser()
    try:
        yield parser.parse(page_shot[0])
    finally:
        parser.close()


def _inside(point: tuple[int, int], box: tuple[int, int, int, int], pad: int = 2) -> bool:
    return box[0] - pad <= point[0] <= box[2] + pad and box[1] - pad <= point[1] <= box[3] + pad


def test_words_name_icon_classes_and_labels_to_read_name_none() -> None:
    assert icons.meanings("delete") == {"delete": 1.0}
    assert icons.meanings("the trash icon") == {"delete": 1.0}
    assert set(icons.meanings("favourite")) == {"star", "like"}
    assert icons.meanings("Retweets")["retweet"] == 1.0
    assert icons.meanings("Share via DM") == {}  # a label to read, not a share icon
    assert icons.meanings("Lunch on Friday") == {}


def test_normalise_ignores_colour_and_polarity() -> None:
    glyph = np.zeros((20, 20), bool)
    glyph[5:15, 8:12] = True
    dark_on_light = np.where(glyph[..., None], [30, 30, 30], [250, 250, 250]).astype(np.uint8)
    light_on_red = np.where(glyph[..., None], [255, 255, 255], [210, 40, 40]).astype(np.uint8)
    a, b = icons.normalise(dark_on_light), icons.normalise(light_on_red)
    assert a.shape == (icons.SIZE, icons.SIZE) and np.abs(a - b).max() < 0.05
    with pytest.raises(ValueError, match="glyph patch"):
        icons.normalise(np.zeros((5, 5), np.uint8))


def test_finder_cuts_out_every_icon_on_any_background(page_shot, parse) -> None:
    frame, drawn = page_shot
    found = icons.find_glyphs(frame, [e.box for e in parse.elements if e.text.strip()])
    for name, boxes in drawn.items():
        for box in boxes:
            centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
            assert any(_inside(centre, g, 3) for g in found), (name, box, found)


def test_classifier_names_held_out_icons(page_shot) -> None:
    frame, drawn = page_shot
    pairs = [(name, box) for name, boxes in drawn.items() for box in boxes]
    glyphs = icons.default_classifier().classify(frame, [b for _, b in pairs])
    right = [g.label == CLASS_OF[name] for (name, _), g in zip(pairs, glyphs, strict=True)]
    said = [(n, g.label) for (n, _), g in zip(pairs, glyphs, strict=True)]
    assert sum(right) >= 0.8 * len(right), said


@pytest.fixture(scope="module")
def grounder():
    from perception.screen.phrase_grounding import PhraseGrounder

    return PhraseGrounder()


def test_words_the_table_lacks_are_matched_by_minilm_or_not_at_all(grounder) -> None:
    encode = grounder.embedder.encode
    assert icons.embedded_meanings("padlock", encode) == {"lock": pytest.approx(0.83, abs=0.1)}
    assert set(icons.embedded_meanings("recycle bin", encode)) == {"delete"}
    assert icons.embedded_meanings("loop arrows", encode) == {}  # nothing near enough: no guess


def test_an_icon_target_grounds_on_the_glyph_of_the_named_item(page_shot, parse, grounder) -> None:
    from perception.screen.step_grounding import find_target

    frame, drawn = page_shot
    bob = Target("delete", relation="near", anchor=Target("Bob"))
    hit = find_target(parse, frame, bob, grounder)[0]
    assert _inside(hit.point, drawn["trash-can"][1]), (hit, drawn["trash-can"])
    lee = Target("Like", "button", relation="inside", anchor=Target("@lee"))
    hit = find_target(parse, frame, lee, grounder)[0]
    assert _inside(hit.point, drawn["heart"][1]), (hit, drawn["heart"])
    kim = Target("retweet", relation="below", anchor=Target("@kim"))
    hit = find_target(parse, frame, kim, grounder)[0]
    assert _inside(hit.point, drawn["retweet"][0]), (hit, drawn["retweet"])
    hit = find_target(parse, frame, Target("search", "icon_button"), grounder)[0]
    assert _inside(hit.point, drawn["magnifying-glass"][0])


def test_an_ellipsis_of_four_pixel_dots_is_one_glyph() -> None:
    """A post's "more" ellipsis as Chromium draws it (a 30x25 crop of a MiniWoB frame): each
    antialiased dot's edges span 5 pixels, and the three join into one wide, low glyph."""
    from PIL import Image

    crop = Path(__file__).parent / "data" / "post_ellipsis.png"
    frame = np.asarray(Image.open(crop).convert("RGB"))
    glyphs = icons.find_glyphs(frame)
    assert len(glyphs) == 1, glyphs
    x0, y0, x1, y1 = glyphs[0]
    assert x1 - x0 >= 14 and y1 - y0 <= 6
