"""An icon and the caption under it, joined by a noisy frame's edges, taken apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from envs.wrappers.frame_transforms import jpeg_frame
from perception.screen import icons
from perception.screen.icon_captions import without_caption

DATA = Path(__file__).parent / "data"


def _edges(frame: np.ndarray) -> np.ndarray:
    rgb = frame.astype(np.int16)
    edge = np.zeros(frame.shape[:2], bool)
    edge[:, 1:] |= np.abs(np.diff(rgb, axis=1)).max(axis=-1) > icons.EDGE
    edge[1:, :] |= np.abs(np.diff(rgb, axis=0)).max(axis=-1) > icons.EDGE
    return edge


@pytest.mark.parametrize(
    "name", ["message_toolbar_jpeg30.png", "message_toolbar_jpeg30_ringing.png"]
)
def test_arrows_over_their_words_on_a_jpeg_frame_are_read_as_reply_and_forward(name: str) -> None:
    # email-inbox-forward dev seed 42301 at JPEG 30: each arrow's edges ran into the word
    # under it ("Reply", "Forward") and the pair read as no icon; the forward went missing.
    # email-inbox-reply 42300: the ringing left 5 edge pixels in the rows between them
    frame = np.asarray(Image.open(DATA / name).convert("RGB"))
    glyphs = icons.default_classifier().classify(frame, icons.find_glyphs(frame))
    below = [g for g in glyphs if g.box[1] > 150]
    assert max(g.score({"reply": 1.0}) for g in below) > 0.6
    assert max(g.score({"forward": 1.0}) for g in below) > 0.6


def test_a_glyph_with_no_word_under_it_keeps_its_box() -> None:
    edge = np.zeros((40, 40), bool)
    edge[5:25, 10] = edge[5:25, 29] = True  # a square outline over a bar that is no word
    edge[5, 10:30] = edge[24, 10:30] = True
    edge[27, 12:28] = True
    box = (10, 5, 30, 28)
    assert without_caption(box, edge) == box
    edge[26:33, 8:32] = True  # a dense band a line tall under it: a caption
    edge[25, :] = False
    assert without_caption((8, 5, 32, 33), edge) == (10, 5, 30, 25)


def test_a_heart_joined_to_the_name_line_under_it_on_a_jpeg_frame_is_read_as_like() -> None:
    # a post's action row over the next post's name line (social-media dev seed 53000) at JPEG
    # 30: ringing over the name's letters joined the heart's box down into the line (86, 160,
    # 101, 180) and it read 'other' (like 0.00); the cut above the line reads it again
    frame = jpeg_frame(np.asarray(Image.open(DATA / "post_actions.png").convert("RGB")), 30)
    name_line = [(4, 178, 88, 192), (88, 178, 124, 192)]  # the parse's text boxes there
    boxes = [
        b for b in icons.find_glyphs(frame, name_line) if 80 <= b[0] <= 92 and 150 < b[1] < 165
    ]
    assert len(boxes) == 1, boxes
    (glyph,) = icons.default_classifier().classify(frame, boxes)
    assert glyph.box[3] <= 176 and glyph.score({"like": 1.0}) > 0.6, (glyph.box, glyph.probs)
