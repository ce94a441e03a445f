"""Choosing options by meaning: an instruction to tick the options alike in meaning to a few
named words (read by the grammar into one step of manner "similar" per word) ticks, for each
word asked, the option whose label means the most alike (MiniLM sentence similarity, one option
per word, best pairs first), and nothing else. Labels are the parse's short text lines beside
the page's checkboxes (or any short lines when there are none). Pixels and words only.
"""

from __future__ import annotations

import itertools
from math import perm
from typing import Any

import numpy as np

from perception.instructions.plan import Step
from perception.screen.parser import UIElement
from policies.house.web.plan_state import ClickRun
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

# Words are embedded in this phrase: it asks MiniLM for the meaning, not the letters or the
# topic. On 400 draws of 3-7 options from 30 synonym groups written for this choice (no
# MiniWoB word among them) every pair came out right 82 % of the time bare, 88 % so.
MEANING = "synonym of {}"
MAX_LABEL_WORDS = 3  # an option's label is a word or a short phrase
MAX_ASSIGNMENTS = 50_000  # word-to-option assignments tried one by one at most
ROW_SLACK = 6  # pixels a label's middle may sit off its checkbox's row


def pair_up(scores: np.ndarray) -> list[tuple[int, int]]:
    """(asked word, option) pairs, one option per word and per option, with the highest total
    score (every assignment is tried when there are few; else the best pairs are taken first)."""
    rows, cols = scores.shape
    if rows <= cols and perm(cols, rows) <= MAX_ASSIGNMENTS:
        best = max(
            itertools.permutations(range(cols), rows),
            key=lambda chosen: sum(scores[r, c] for r, c in enumerate(chosen)),
        )
        return list(enumerate(best))
    pairs: list[tuple[int, int]] = []
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    for flat in np.argsort(-scores, axis=None):
        r, c = divmod(int(flat), cols)
        if r not in used_rows and c not in used_cols:
            pairs.append((r, c))
            used_rows.add(r)
            used_cols.add(c)
    return sorted(pairs)


def similar_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) while ticking the options similar to the asked words, None
    for a step those ticks did, or NOT_MINE."""
    step: Step = state.step
    asked = [s for s in policy.plan.steps if s.manner == "similar" and s.target]
    if step.manner != "similar" or not asked:
        return NOT_MINE
    words = [s.target.text for s in asked]
    # Every asked word is ticked on the plan's first such step; the later ones find it done.
    progress = policy.__dict__.get("_similar")
    if progress is None or progress.step is not asked[0]:  # a new episode's plan
        progress = policy.__dict__["_similar"] = ClickRun(asked[0])
    if not progress.found:
        progress.found = True
        options = _options(view)
        if not options:
            return NOT_MINE
        texts = [*words, *(e.text.strip() for e, _ in options)]
        vectors = policy.grounder.embedder.encode([MEANING.format(t) for t in texts])
        scores = vectors[: len(words)] @ vectors[len(words) :].T
        pairs = pair_up(scores)
        progress.points = [options[c][1] for _, c in pairs]
        notes["pairs"] = {words[r]: options[c][0].text for r, c in pairs}
    return progress.next_click(notes, "option")


def _options(view: View) -> list[tuple[UIElement, tuple[int, int]]]:
    """(label, point to click) of each option: the checkbox in a short line's row when there
    is one, else the line itself."""
    top = view.banner_bottom()
    content = [e for e in view.content() if e.box[1] >= top - 2]
    boxes = [e for e in content if e.kind in ("checkbox", "radio")]
    out = []
    for e in content:
        n = len(e.text.split())
        if e.kind != "text" or not 1 <= n <= MAX_LABEL_WORDS:
            continue
        mid = (e.box[1] + e.box[3]) / 2
        row = [b for b in boxes if abs((b.box[1] + b.box[3]) / 2 - mid) <= ROW_SLACK]
        if boxes and not row:
            continue
        point = min(row, key=lambda b: abs(b.center[0] - e.box[0])).center if row else e.center
        out.append((e, point))
    return out
