"""Argument frames for pointer verbs (press, select, open, close, scroll, drag) and the
registry from a verb sense's frame name to the function that reads its arguments."""

from __future__ import annotations

import re
from dataclasses import replace

from perception.instructions import figures
from perception.instructions import lexicon as lx
from perception.instructions.entry_frames import (
    clear_frame,
    ensure_frame,
    login_frame,
    search_frame,
    set_frame,
    signup_frame,
    type_frame,
)
from perception.instructions.message_frames import forward_frame, mark_frame, reply_frame
from perception.instructions.phrase_lists import one_name, parse_list
from perception.instructions.phrases import Phrase, match, parse_phrase
from perception.instructions.plan import ALL, Look, Step, Target
from perception.instructions.reading_frames import (
    answer_frame,
    count_frame,
    find_frame,
    read_frame,
    solve_frame,
)
from perception.instructions.targets import (
    Context,
    Frame,
    repeats,
    resolve,
    split_at,
    target_frame,
    with_conditions,
)
from perception.instructions.tokens import Token, join

_FROM = ("from", "in", "within", "inside", "on", "using", "out of", "off")
_DESTINATION = (
    "onto", "into", "to", "on top of", "over", "on", "toward", "towards", "in", "inside",
    "next to", "beside", "under", "below", "above", "onto the top of",
)  # fmt: skip
_SCROLL_GOALS = frozenset({
    "to find", "to see", "to reveal", "to locate", "until", "till", "until you see",
    "until you find", "to reach", "to get to", "until you reach", "to", "so you can see",
    "so that you can see", "and find", "to show", "for", "looking for", "in search of",
    "until you get to",
})  # fmt: skip
_VISIBILITY = frozenset(
    [
        "is",
        "becomes",
        "appears",
        "visible",
        "shows",
        "up",
        "in",
        "view",
        "comes",
        "into",
        "on",
        "screen",
    ]
)
_ENDS = ("top", "bottom", "end", "start", "beginning", "left", "right")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?%?$")


def key_name(words: list[Token]) -> str | None:
    """The key a phrase names ("the Enter key", "ctrl+a", "Control-C"), or None."""
    words = [t for t in words if t.low not in lx.DETERMINERS]
    named_key = bool(words) and words[-1].low in ("key", "keys")
    if named_key:
        words = words[:-1]
    if not words or (words[0].quoted and not named_key):
        return None
    text = " ".join(t.text for t in words)
    parts = re.split(r"\s*[+-]\s*|\s+and\s+|\s+", text.strip()) if len(text) > 1 else [text]
    *mods, last = [p for p in parts if p]
    low = " ".join(parts).lower()
    if low in lx.KEYS:
        return lx.KEYS[low]
    if mods and all(m.lower() in lx.MODIFIERS for m in mods):
        base = lx.KEYS.get(last.lower(), last.lower() if len(last) == 1 else None)
        if base is not None:
            return "+".join([*(lx.MODIFIERS[m.lower()] for m in mods), base])
    if named_key and len(words) == 1:
        return lx.KEYS.get(words[0].low, words[0].text)
    return None


def press_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "press Enter" presses a key; "press Submit" clicks what it names."""
    times, keys = repeats(words)
    key = key_name(keys)
    if key is not None:
        return [Step("press_key", key=key)] * times
    return target_frame(sense, words, ctx)


def select_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "select X from Y" chooses values in a control; "select X" picks the elements named."""
    at = split_at(words, ("as",))
    if at > 0:
        control = parse_phrase(words[at + 1 :], "select", ctx.similarity)
        return [Step("select", control.target, value=join(words[:at]))]
    at = split_at(words, _FROM)
    if at > 0:
        container = parse_phrase(words[at + 1 :], "select", ctx.similarity)
        if not container.container and (container.target.kind != "any" or container.target.text):
            control = container.target
            values = parse_list(words[:at], "select", ctx.similarity)
            if len(values) > 1 and _one_choice(container, words[at + 1 :]) and one_name(words[:at]):
                # one choice in one control: a capitalised "X and Y" is one option's name
                values = [parse_phrase(words[:at], "select", ctx.similarity)]
            steps = [
                Step("select", control, value=p.target.text or join(words[:at]))
                for p in values
                if not p.pronoun
            ]
            if values and all(p.target.text == "" for p in values):
                steps = [Step("select", _merge(control, p.target)) for p in values]
            return with_conditions(steps, values)
        words = words[:at]
    return target_frame(sense, words, ctx)


_LISTS = frozenset({"list", "listbox", "lists"})  # a list box may hold several choices
_ONE_CHOICE = frozenset(
    {"dropdown", "drop-down", "drop", "select", "pull-down", "pulldown", "combo"}
)


def _one_choice(container: Phrase, words: list[Token]) -> bool:
    """Whether the control takes one choice: one drop-down, not a list box or several."""
    lows = {t.low for t in words}
    return not container.plural and (not lows & _LISTS or bool(lows & _ONE_CHOICE))


def _merge(control: Target, item: Target) -> Target:
    """An unnamed item inside a control ("the second option in the dropdown")."""
    if item.kind == "any" and item.ordinal is not None:
        return replace(item, kind="list_option")
    return item


def open_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "open" expands what folds (sections, folders) and clicks everything else."""
    if words and words[0].low == "the" and match(words, 1, {"context menu", "right-click menu"})[1]:
        rest = words[4:] if len(words) > 4 else []
        return [Step("right_click", t) for t in resolve(parse_list(rest), ctx)] or [
            Step("right_click")
        ]
    verb = "expand" if any(t.low in lx.EXPANDABLE for t in words) else "click"
    return target_frame(lx.Sense(verb, "target"), words, ctx)


def close_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "close" folds what expands and clicks the close control of dialogs and banners."""
    if any(t.low in lx.EXPANDABLE for t in words):
        return target_frame(lx.Sense("collapse", "target"), words, ctx)
    return [Step("click", Target(text="close"))]


def scroll_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Scroll a direction, to an end, or until a target shows: "scroll down to find X"."""
    direction = None
    target: Target | None = None
    i = 0
    while i < len(words):
        token = words[i]
        if token.low in lx.DIRECTIONS and (direction is None or token.low in ("top", "bottom")):
            direction = lx.DIRECTIONS[token.low]
        size = match(words, i, _SCROLL_GOALS)[1]
        if size and i + size < len(words):
            rest = [t for t in words[i + size :] if t.low not in _VISIBILITY]
            phrase = parse_phrase(rest, "scroll", ctx.similarity)
            ends = [t.low for t in rest[:3] if t.low in ("top", "bottom", "end", "beginning")]
            if ends:
                direction = lx.DIRECTIONS[ends[0]]
            elif not phrase.pronoun and not phrase.container:
                target = phrase.target
            break
        i += 1
    if target is None and i > 0:  # "scroll the text area to the top": the box scrolled
        what = [t for t in words[:i] if t.low not in lx.DIRECTIONS]
        phrase = parse_phrase(what, "scroll", ctx.similarity) if what else None
        if phrase is not None and phrase.target.kind != "any" and not phrase.container:
            target = phrase.target
    return [Step("scroll", target, value=direction)]


def drag_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "drag X onto Y", "drag the slider to 50", "move X up"; "..., and everything else into
    Z" moves what the first part left into Z."""
    cut, size = figures.rest_at(words)
    if cut > 0:
        steps = drag_frame(sense, words[:cut], ctx)
        tail = words[cut + size :]
        prep = match(tail, 0, set(_DESTINATION), 3)[1]
        if not prep or prep >= len(tail):
            return steps
        where = parse_phrase(tail[prep:], "drag", ctx.similarity).target
        rest = Target(ordinal=ALL, look=Look(shape="any"))
        return [*steps, Step("drag", rest, destination=where, manner="rest")]
    way = next((k for k in range(len(words)) if match(words, k, {"all the way"})[1]), -1)
    if way >= 0:
        words = words[:way] + words[way + 3 :]
    at = split_at(words, _DESTINATION)
    source_words = words[:at] if at > 0 else words
    direction = None
    if source_words and source_words[-1].low in lx.DIRECTIONS:
        direction, source_words = lx.DIRECTIONS[source_words[-1].low], source_words[:-1]
    source = resolve([parse_phrase(source_words, "drag", ctx.similarity)], ctx)
    target = source[0] if source else None
    if at < 0:
        return [Step("drag", target, value=direction)]
    prep_size = match(words, at, set(_DESTINATION), 3)[1]
    rest = words[at + prep_size :]
    first, *after = " ".join(t.low for t in rest).removeprefix("the ").split(" ")
    if first in _ENDS and not (after and figures.shape_word(after[0])):
        return [Step("drag", target, value=lx.DIRECTIONS[first])]
    if len(rest) == 1 and _NUMBER.match(rest[0].text):
        return [Step("drag", target, value=rest[0].text)]
    destination = parse_phrase(rest, "drag", ctx.similarity).target
    return [Step("drag", target, destination=destination, value=direction)]


def submit_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Submit the form in focus."""
    return [Step("submit")]


def done_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """The task is finished."""
    return [Step("done")]


def use_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "use X" alone clicks X; "use X to ..." is joined with its purpose by the parser."""
    return target_frame(lx.Sense("click", "target"), words, ctx)


_SECONDS = {"second": 1.0, "seconds": 1.0, "sec": 1.0, "secs": 1.0, "s": 1.0,
            "minute": 60.0, "minutes": 60.0, "millisecond": 0.001, "milliseconds": 0.001,
            "ms": 0.001}  # fmt: skip
_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "half": 0.5}


def wait_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "wait 2 seconds" waits that long (value: seconds); a wait without a duration ("wait for
    the page") adds no step, since every step looks at the page as it is then."""
    for i, token in enumerate(words[:-1]):
        unit = _SECONDS.get(words[i + 1].low)
        if unit is None:
            continue
        if _NUMBER.match(token.text) and not token.text.endswith("%"):
            amount = float(token.text.replace(",", "."))
        elif token.low in _SMALL_NUMBERS:
            half = token.low == "a" and i > 0 and words[i - 1].low == "half"
            amount = 0.5 if half else float(_SMALL_NUMBERS[token.low])
        else:
            continue
        return [Step("wait", value=f"{amount * unit:g}")]
    return []


def noop_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Directions about where to look ("navigate through the tree") add no step."""
    return []


FRAMES: dict[str, Frame] = {
    "target": target_frame, "press": press_frame, "type": type_frame, "select": select_frame,
    "open": open_frame, "close": close_frame, "scroll": scroll_frame, "drag": drag_frame,
    "read": read_frame, "find": find_frame, "submit": submit_frame, "done": done_frame,
    "answer": answer_frame, "set": set_frame, "clear": clear_frame, "use": use_frame,
    "noop": noop_frame, "wait": wait_frame, "login": login_frame, "search": search_frame,
    "signup": signup_frame,
    "reply": reply_frame,
    "forward": forward_frame, "count": count_frame, "ensure": ensure_frame, "mark": mark_frame,
    "solve": solve_frame,
}  # fmt: skip
