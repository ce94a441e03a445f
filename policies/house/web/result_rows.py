"""The row of a results list that meets a superlative ("the ticket with the cheapest cost", "the
shortest flight", "the earliest departure"): each row's quantity (a price, a duration, a time
of day) is read from its text, and the action of the row holding the least or the most is
clicked.

A row is the block of lines that ends with one of the list's repeated actions (elements whose
first word repeats down the page, reading differently each time: "Book for $879", "Book for
$731"); its quantity is in the action's own words or in the lines above it in its block.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from contracts.actions import Action, Click
from perception.instructions.plan import Step, Target
from perception.screen.parser import UIElement
from policies.house.web.page_cues import grow, page_text
from policies.house.web.plan_state import StepState
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

# Superlative phrases -> (the quantity they compare, whether the least or the most is wanted).
SUPERLATIVES: dict[str, tuple[str, str]] = {
    "cheapest": ("price", "min"),
    "least expensive": ("price", "min"),
    "lowest price": ("price", "min"),
    "lowest cost": ("price", "min"),
    "most expensive": ("price", "max"),
    "priciest": ("price", "max"),
    "highest price": ("price", "max"),
    "highest cost": ("price", "max"),
    "shortest": ("duration", "min"),
    "quickest": ("duration", "min"),
    "fastest": ("duration", "min"),
    "longest": ("duration", "max"),
    "slowest": ("duration", "max"),
    "earliest": ("time", "min"),
    "latest": ("time", "max"),
}
_PRICE = re.compile(r"[$€£]\s?(\d[\d,]*(?:\.\d+)?)")
_DURATION = re.compile(r"(\d+)\s*h(?:ours?|rs?)?\s*(?:(\d+)\s*m(?:in(?:ute)?s?)?)?\b", re.I)
_MINUTES = re.compile(r"(\d+)\s*m(?:in(?:ute)?s?)?\b", re.I)
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\s*([AaPp])\.?\s*[Mm]?\b|\b(\d{1,2}):(\d{2})\b")
MIN_ROWS = 2
ALIGN = 0.5  # share of an action's width its neighbours' centres may lie off its own


@dataclass(frozen=True)
class Row:
    """One row of the list: its action and the quantity read for it."""

    action: UIElement
    value: float


def superlative(step: Step) -> tuple[str, str] | None:
    """(quantity, "min" | "max") a click step's words ask for, None when they ask for none."""
    words = " ".join(_texts(step.target)).lower()
    for phrase, want in sorted(SUPERLATIVES.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", words):
            return want
    return None


def _texts(target: Target | None) -> list[str]:
    """The words of a target and of its anchors."""
    out = []
    while target is not None:
        out.append(target.text)
        target = target.anchor
    return out


def quantity(text: str, kind: str) -> float | None:
    """The price (units), duration (minutes) or time of day (minutes after midnight) `text`
    shows, None when it shows none of that kind."""
    if kind == "price":
        m = _PRICE.search(text)
        return float(m.group(1).replace(",", "")) if m else None
    if kind == "duration":
        m = _DURATION.search(text)
        if m:
            return int(m.group(1)) * 60 + int(m.group(2) or 0)
        m = _MINUTES.search(text)
        return float(m.group(1)) if m else None
    m = _TIME.search(text)
    if not m:
        return None
    if m.group(1) is not None:
        hour, minute, half = int(m.group(1)) % 12, int(m.group(2)), m.group(3).lower()
        return (hour + (12 if half == "p" else 0)) * 60 + minute
    return int(m.group(4)) * 60 + int(m.group(5))


def row_actions(elements: list[UIElement]) -> list[UIElement]:
    """The list's repeated actions: the largest group of aligned elements sharing a first word
    whose texts differ (a repeated key such as "Duration:" reads the same each time)."""
    groups: dict[str, list[UIElement]] = defaultdict(list)
    for e in elements:
        first = e.text.split()[0].lower().strip(":.,") if e.text.split() else ""
        if len(first) >= 2 and first.isalpha():  # "11h 10m" is a value, not an action
            groups[first].append(e)
    best: list[UIElement] = []
    for members in groups.values():
        if len(members) < MIN_ROWS or len({_alnum(m.text) for m in members}) < 2:
            continue
        w = max(m.box[2] - m.box[0] for m in members)
        cx = sorted(m.center[0] for m in members)[len(members) // 2]
        aligned = [m for m in members if abs(m.center[0] - cx) <= ALIGN * w]
        if len(aligned) > len(best):
            best = aligned
    return sorted(best, key=lambda e: e.box[1])


def _alnum(text: str) -> str:
    """The letters and digits of a text ("Duration:" and "Duration" read alike)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def rows(elements: list[UIElement], kind: str) -> list[Row]:
    """Each action with the quantity of `kind` in its own text or in its block's lines above."""
    actions = row_actions(elements)
    out = []
    top = -1
    for action in actions:
        value = quantity(action.text, kind)
        if value is None:
            block = [
                e
                for e in elements
                if top <= e.center[1] <= action.box[3] and e is not action and e not in actions
            ]
            for e in sorted(block, key=lambda e: -e.box[1]):  # the nearest line above first
                value = quantity(e.text, kind)
                if value is not None:
                    break
        if value is not None:
            out.append(Row(action, float(value)))
        top = action.box[3]
    return out


def row_step(
    policy: Any, view: View, state: StepState, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None | object:
    """Click the action of the row holding the least or most asked quantity; NOT_MINE when the
    step asks for no superlative or the page shows no such list."""
    step = state.step
    if step.verb != "click" or step.target is None:
        return NOT_MINE
    want = superlative(step)
    if want is None:
        return NOT_MINE
    if state.phase == "clicked":
        return None
    kind, end = want
    found = [
        r
        for r in rows(page_text_and_controls(view, policy), kind)
        if r.action.box not in state.tried
    ]
    if len(found) < MIN_ROWS:
        return NOT_MINE
    pick = (min if end == "min" else max)(found, key=lambda r: r.value)
    notes["rows"] = [f"{r.action.text!r}: {r.value:g}" for r in found]
    notes["target"] = pick.action.describe()
    state.element, state.phase = pick.action, "clicked"
    return Click(*pick.action.center), grow(pick.action.box, view.parse), "change"


def page_text_and_controls(view: View, policy: Any) -> list[UIElement]:
    """Every element below the banner that shows words (lines, buttons, links)."""
    lines = {e.id for e in page_text(view, policy.plan.text)}
    return [e for e in view.content() if e.text.strip() and (e.id in lines or e.kind != "text")]
