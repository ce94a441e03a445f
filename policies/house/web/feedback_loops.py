"""Steps that act, look at the next frame and act again until a condition holds.

- "Generate a number less than 5" / "roll until you get an even number" (a step of manner
  "until"): press the button named by the verb, read the number the page shows, press again
  until it meets the step's condition.
- "Guess the number between 0-9 ... use the feedback" (manner "guess"): type a guess, send it,
  read the page's "higher than 4" / "too low" / "correct" and halve the step's range, until the
  page says it is right.

The instruction is read by the grammar (`perception.instructions.routines`); numbers and
feedback are read from the frame's parse; nothing here knows a page.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.actions import Click, Done, Key, Type, Wait
from perception.instructions.number_conditions import condition
from perception.screen.parser import UIElement
from policies.house.web.page_cues import submit_button
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MAX_TRIES = 12  # presses of the generating button before the step gives up
MAX_GUESSES = 8
BUTTON_KINDS = ("button", "link", "icon_button")
_NUM = r"(-?\d+)"
_HIGHER = re.compile(
    rf"\b(?:higher|greater|larger|bigger|more|above)\s+than\s+{_NUM}|\btoo\s+(?:low|small)\b",
    re.I,
)
_LOWER = re.compile(
    rf"\b(?:lower|smaller|less|below)\s+than\s+{_NUM}|\btoo\s+(?:high|big|large)\b", re.I
)
_RIGHT = re.compile(r"\b(?:correct|right|you\s+win|got\s+it|well\s+done)\b", re.I)


def shown_number(view: View, skip: tuple[int, int, int, int] | None = None) -> int | None:
    """The number the page shows on its own (not on a button, not in the banner), largest
    lettering first; None when no such number shows."""
    found = []
    for e in view.content():
        if e.kind in BUTTON_KINDS or (skip is not None and e.box == skip):
            continue
        t = e.text.strip().replace("O", "0").replace("o", "0")
        if re.fullmatch(r"-?\d{1,6}", t):
            found.append((e.box[3] - e.box[1], int(t)))
    return max(found)[1] if found else None


def _verb_button(view: View, verb: str) -> UIElement | None:
    """The button whose words are the instruction's verb ("Generate", "Roll", "Roll again")."""
    verb = verb.lower()
    for e in view.content():
        words = re.findall(r"[a-z]+", e.text.lower())
        if words and len(words) <= 3 and words[0].startswith(verb[:4]):  # any kind detected
            return e
    return None


def produce_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Press the button the step names (the instruction's verb) until the shown number meets the
    condition; None when it does (or tries ran out), NOT_MINE for any other step."""
    step = state.step
    if step.manner != "until" or step.target is None:
        return NOT_MINE
    button = _verb_button(view, step.target.text)
    if button is None:
        return NOT_MINE
    cond = condition(step.condition or "")
    tries = state.memo.get("presses", 0)
    if tries:
        value = shown_number(view)
        notes["shown"] = value
        if value is not None and cond.holds(value):
            return None
        if value is None and not state.memo.get("waited"):
            state.memo["waited"] = True  # the page may not have drawn it yet
            return Wait(0.2), None, "none"
    if tries >= MAX_TRIES:
        return None
    state.memo["presses"] = tries + 1
    state.memo["waited"] = False
    notes["target"] = f"press {button.describe()} until {cond}"
    return Click(*button.center), None, "none"


def guess_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Guess a number by halving its range on the page's higher/lower feedback; Done when the
    page says the guess is right. NOT_MINE for a step that is no guess (manner "guess")."""
    if state.step.manner != "guess":
        return NOT_MINE
    memo = state.memo
    if "low" not in memo:
        said = condition(state.step.condition or "")
        memo["low"], memo["high"] = said.whole_bounds() or (0, 100)
        memo["phase"] = "guess"
    phase = memo["phase"]
    if phase == "read":
        text = " ".join(e.text for e in view.content())
        guess = memo["guess"]
        if _RIGHT.search(text) and not (_HIGHER.search(text) or _LOWER.search(text)):
            return Done(), None, "none"
        if h := _HIGHER.search(text):
            memo["low"] = max(memo["low"], (int(h.group(1)) if h.group(1) else guess) + 1)
        elif lo := _LOWER.search(text):
            memo["high"] = min(memo["high"], (int(lo.group(1)) if lo.group(1) else guess) - 1)
        elif not memo.get("waited"):
            memo["waited"] = True  # the feedback may not have shown yet
            return Wait(0.2), None, "none"
        notes["feedback"] = text[:80]
        memo["phase"], memo["waited"] = "guess", False
        phase = "guess"
    if phase == "guess":
        if memo.get("guesses", 0) >= MAX_GUESSES or memo["low"] > memo["high"]:
            return None
        field = next((e for e in view.content() if e.kind in ("text_input", "text_field")), None)
        if field is None:
            return NOT_MINE
        memo["guess"] = (memo["low"] + memo["high"]) // 2
        memo["guesses"] = memo.get("guesses", 0) + 1
        memo["phase"] = "clear"
        notes["target"] = f"guess {memo['guess']} in [{memo['low']}, {memo['high']}]"
        return Click(*field.center), None, "none"
    if phase == "clear":
        memo["phase"] = "type"
        return Key("ctrl+a"), None, "none"
    if phase == "type":
        memo["phase"] = "send"
        return Type(str(memo["guess"])), None, "none"
    button = submit_button(view, [])
    if button is None:
        memo["phase"] = "read"
        return Key("Enter"), None, "none"
    memo["phase"] = "read"
    notes["target"] = button.describe()
    return Click(*button.center), None, "none"
