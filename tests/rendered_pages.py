"""A test page rendered by Chromium: its pixels, and its elements' boxes for checking only."""

from __future__ import annotations

from typing import Any

import numpy as np

BOXES_JS = """(ids) => ids.map((id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
})"""


def render_with_boxes(
    browser_pool: Any, html: str, ids: tuple[str, ...], width: int = 1280, height: int = 720
) -> tuple[np.ndarray, dict[str, list[float]]]:
    """The page as a screenshot and the boxes (x0, y0, x1, y1) of the elements with `ids`."""
    handle = browser_pool.new_page(width, height)
    try:
        handle.page.set_content(html)
        image = handle.screenshot()
        boxes = dict(zip(ids, handle.page.evaluate(BOXES_JS, list(ids)), strict=True))
    finally:
        handle.close()
    return image, boxes
