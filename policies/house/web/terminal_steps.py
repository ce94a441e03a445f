"""Use a terminal drawn on the page: "use the terminal to delete a file ending with .zip".

The grammar reads the sentence into a step of manner "delete_file" whose value is the
extension (`perception.instructions.routines`). The terminal is focused with a click, `ls`
lists the files, the lines it printed are read (each line read again on its own box, which the
OCR reads better than the parse's pieces), and the file whose name fits is removed with `rm`.
Pixels only: the listing is read from the frame.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from contracts.actions import Click, Done, Key, Type
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MAX_READS = 3  # frames read for the listing before the step gives up


def listed_file(view: View, ext: str, reader: Any) -> str | None:
    """The listed name ending with `ext`, from the lines below the last `ls` typed."""
    lines = sorted((e for e in view.content() if e.text.strip()), key=lambda e: e.box[1])
    after = [e for e in lines if re.search(r"\bls\b", e.text)]
    start = after[-1].box[3] - 2 if after else 0
    below = [e for e in lines if e.box[1] >= start]
    texts = [e.text for e in below]
    if reader is not None and below:
        # Each line read on a few boxes around it: OCR confuses "i" and "l" in small type
        # differently at different crops; the name most readings agree on wins.
        boxes = [
            (max(0, x0 + dx), max(0, y0 + dy), x1 - dx, y1 - dy)
            for e in below
            for (x0, y0, x1, y1) in [e.box]
            for dx, dy in ((0, 0), (-2, -1), (0, 1), (-4, -2))
        ]
        texts += [
            t
            for t, _ in reader.read(
                np.ascontiguousarray(view.text_frame), [(b, "text") for b in boxes]
            )
        ]
    pattern = re.compile(rf"([\w-]+{re.escape(ext)})(?![\w.])", re.I)
    votes = Counter(m.group(1) for t in texts if (m := pattern.search(t.replace(" .", "."))))
    return votes.most_common(1)[0][0] if votes else None


def terminal_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Click the terminal, list the files, remove the one asked for, then say done; NOT_MINE
    for a step that is no file deletion (manner "delete_file", the extension its value)."""
    step = state.step
    ext = step.value if step.manner == "delete_file" else None
    if not ext:
        return NOT_MINE
    memo = state.memo
    phase = memo.get("phase", "focus")
    if phase == "focus":
        h, w = view.frame.shape[:2]
        top = view.banner_bottom()
        memo["phase"] = "list"
        notes["target"] = "the terminal"
        return Click(w // 2, (top + h) // 2), None, "none"
    if phase == "list":
        memo["phase"] = "enter_list"
        return Type("ls"), None, "none"
    if phase == "enter_list":
        memo["phase"] = "read"
        return Key("Enter"), None, "none"
    if phase == "read":
        name = listed_file(view, ext, getattr(policy.parser, "reader", None))
        if name is None:
            memo["reads"] = memo.get("reads", 0) + 1
            if memo["reads"] >= MAX_READS:
                return Done(), None, "none"
            memo["phase"] = "list"  # list again: the listing may not have shown
            return Key("End"), None, "none"
        memo["phase"], memo["name"] = "remove", name
        notes["target"] = f"file {name}"
        return Type(f"rm {name}"), None, "none"
    if phase == "remove":
        memo["phase"] = "sent"
        return Key("Enter"), None, "none"
    return Done(), None, "none"
