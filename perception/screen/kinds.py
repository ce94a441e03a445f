"""The screen detector's element kinds and the labelled-frame schema it trains and scores on.

Perception reads frames only; training (`training.dom_labels`) writes these labels from the DOM
of pages it renders, and the detector turns them into training maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Detector classes, in head-channel order; "checkbox" covers radios and switches, "dropdown"
# covers closed selects and the options of an open list or menu.
KINDS: tuple[str, ...] = (
    "button",
    "text_input",
    "checkbox",
    "link",
    "tab",
    "dropdown",
    "icon",
    "text",
)
INTERACTABLE_KINDS = frozenset(KINDS) - {"text"}

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in observation pixels


@dataclass(frozen=True)
class LabelledBox:
    """One element seen on the frame: its kind, box (observation pixels) and visible text."""

    kind: str
    box: Box
    text: str = ""


@dataclass(frozen=True)
class PageLabels:
    """All labelled elements of one frame plus the regions scoring and training must skip."""

    boxes: tuple[LabelledBox, ...]
    ignore: tuple[Box, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "boxes": [{"kind": b.kind, "box": list(b.box), "text": b.text} for b in self.boxes],
            "ignore": [list(r) for r in self.ignore],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageLabels:
        boxes = tuple(
            LabelledBox(b["kind"], tuple(b["box"]), b.get("text", "")) for b in data["boxes"]
        )
        return cls(boxes, tuple(tuple(r) for r in data.get("ignore", ())))

    def scaled(self, factor: float) -> PageLabels:
        """The same labels for the frame resized by `factor`."""

        def s(b: Box) -> Box:
            return (b[0] * factor, b[1] * factor, b[2] * factor, b[3] * factor)

        return PageLabels(
            tuple(LabelledBox(b.kind, s(b.box), b.text) for b in self.boxes),
            tuple(s(r) for r in self.ignore),
        )
