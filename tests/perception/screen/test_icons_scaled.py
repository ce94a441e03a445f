"""Icons on a real MiniWoB frame shown resized and read back at the canonical text size: the
classifier still names them (the glyph's own pixels, not a bar's edge that resizing moved
into the patch's margin)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from envs.wrappers.frame_transforms import resize_frame, resized_size
from perception.screen import icons
from policies.house.web.canon import canonical

FRAME = Path(__file__).parent / "data" / "open_message_icons.png"


@pytest.mark.parametrize("factor", [1.0, 0.75, 1.5])
def test_the_star_on_a_coloured_bar_is_a_star_at_every_scale(factor):
    # an opened message (email-inbox dev seed 40000): an outline star on the red bar above the
    # message; resized x0.75 or x1.5 and read at the canonical size, the bar's lower edge fell
    # inside the star's 2 px margin and the star read 'other' (star 0.02-0.07)
    frame = np.asarray(Image.open(FRAME))[..., :3]
    w, h = resized_size(frame.shape[1], frame.shape[0], factor)
    canon = canonical(resize_frame(frame, w, h), zoom=None)
    s = frame.shape[1] / canon.frame.shape[1]
    boxes = [
        b for b in icons.find_glyphs(canon.frame) if 120 <= b[0] * s <= 135 and 50 <= b[1] * s <= 62
    ]
    assert len(boxes) == 1, boxes
    (glyph,) = icons.default_classifier().classify(canon.frame, boxes)
    assert glyph.label == "star" and glyph.probs["star"] >= 0.8, glyph.probs
