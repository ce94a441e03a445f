"""Steps that run as a routine, read from a sentence's words into `Step.manner` and the fields
it names (see `plan.py`): press until a number fits ("generate an odd number"), guess a number
by the page's feedback, keep the pointer on a moving thing, probe for a hot spot, play a game,
delete a file in a terminal, pick a colour with a picker, count drawn things, place a point by
geometry, choose options by meaning, copy an example's pattern, sort items into categories or
act on each item (the place in a list or grid a drag moves an item to: `drag_places.py`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from perception.instructions.drag_places import bare as _bare
from perception.instructions.drag_places import drag_places
from perception.instructions.drag_places import first_of as _first
from perception.instructions.drag_places import number_word as _number
from perception.instructions.figures import COLOURS, look_of
from perception.instructions.plan import ALL, Look, Step, Target
from perception.instructions.tokens import Token, join

Reader = Callable[[list[Token], list[str], list[Step]], "list[Step] | None"]

NUMBER_NOUNS = frozenset({"number", "value", "integer"})
PRODUCE_VERBS = frozenset({"generate", "roll", "draw", "spin", "shuffle", "produce", "get", "pick"})
NUMBER_KINDS = frozenset({"odd", "even", "prime", "positive", "negative"})
POINTERS = frozenset({"mouse", "cursor", "pointer"})
KEEP_VERBS = frozenset({"keep", "hold", "leave"})
FOLLOW_VERBS = frozenset({"follow", "chase", "track"})
RESTING = frozenset({"hovered", "hovering", "placed", "resting", "positioned"})
ON_WORDS = frozenset({"inside", "in", "on", "over", "within", "above"})
TRACK_END = frozenset({"as", "while", "when", "whenever", "for"})
GAMES = {"tic-tac-toe": "tic-tac-toe", "tictactoe": "tic-tac-toe", "noughts": "tic-tac-toe",
         "naughts": "tic-tac-toe"}  # fmt: skip
SIDES = frozenset({"X", "O"})
TERMINALS = frozenset({"terminal", "shell", "console"})
DELETE_VERBS = frozenset({"delete", "remove", "erase"})
ENDING = frozenset({"ending", "ends", "end", "finishing", "finishes"})
COLOUR_NOUNS = frozenset({"color", "colour", "hue"})
COLOUR_TOOLS = frozenset({"picker", "wheel", "chooser", "selector", "palette"})
COUNT_WORDS = frozenset({"number", "count", "total", "many"})
BISECT_VERBS = frozenset({"halve", "halves", "split", "splits", "divide", "divides", "cut",
                          "cuts"})  # fmt: skip
SIMILAR_WORDS = frozenset({"similar", "close", "related", "synonym", "synonyms", "synonymous",
                           "equivalent", "alike"})  # fmt: skip
SENDS = frozenset({"submit", "send", "enter", "go", "ok", "check", "guess"})
SENDING = frozenset({"click", "press", "hit", "submit", "tap"})
COPY_VERBS = frozenset({"draw", "copy", "reproduce", "recreate", "replicate", "match"})
GRID_NOUNS = frozenset({"checkboxes", "boxes", "grid", "cells"})
EXAMPLE_NOUNS = frozenset({"example", "pattern", "model", "sample", "shown"})
CATEGORIES = frozenset({"odd", "even", "positive", "negative", "zero", "nonzero", "prime",
                        "composite"})  # fmt: skip
# The temperature scale of a hot/cold search, coldest first ("ice cold" < "cold" < "hot").
SCALE = ("freezing", "ice cold", "icy", "cold", "cool", "lukewarm", "tepid", "warm", "hot",
         "very hot", "burning", "on fire")  # fmt: skip
SPOT_WORDS = frozenset({"spot", "area", "region", "place", "zone", "part", "point", "that",
                        "which", "is", "the"})  # fmt: skip
FIND_VERBS = frozenset({"find", "locate", "seek", "search", "look"})
BOX_NOUNS = frozenset({"textarea", "box", "panel", "pane", "list"})
_BREAK = frozenset({",", ".", ";", "then"})


def read_routines(tokens: list[Token], steps: list[Step]) -> list[Step]:
    """The steps of one sentence with the routine its words ask for (at most one), the items
    acted on one by one, counts of drawn things and the places drags move list items to."""
    low = ["" if t.quoted else t.low for t in tokens]
    for reader in _READERS:
        found = reader(tokens, low, steps)
        if found is not None:
            return found
    steps = _each(low, steps)
    steps = [_box_end(low, _counted(s)) for s in steps]
    return drag_places(tokens, low, steps)


def merge_repeats(steps: list[Step]) -> list[Step]:
    """A plan's steps without a routine step that repeats the one before it in the plan
    ("Guess the number ... Use the feedback to find the right number": one guess)."""
    out: list[Step] = []
    for step in steps:
        again = [s for s in out if s.manner == step.manner]
        if step.manner in ("guess", "game", "track", "probe") and again:
            continue
        out.append(step)
    return out


# ------------------------------------------------------------------------------ helpers
def _put_first(steps: list[Step], new: Step, verbs: tuple[str, ...] = ("click",)) -> list[Step]:
    """`steps` with their first step of one of `verbs` replaced by `new` (or `new` put first)."""
    k = _first(steps, verbs)
    return [new, *steps] if k < 0 else [*steps[:k], new, *steps[k + 1 :]]


def _upto(tokens: list[Token], low: list[str], start: int, stop: frozenset[str]) -> int:
    """The index of the first word from `start` on that is in `stop`, a break, or an "and"
    before a verb (the end of a clause); len(tokens) when none is."""
    for j in range(start, len(tokens)):
        if low[j] in stop or low[j] in _BREAK:
            return j
        if low[j] == "and" and j + 1 < len(low) and not low[j + 1][:1].isdigit():
            return j
    return len(tokens)


def _copy(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "draw the number 3 in the checkboxes using the example": tick the grid as shown."""
    verb = any(w in COPY_VERBS for w in low) or any(
        a == "fill" and b == "in" for a, b in zip(low, low[1:], strict=False)
    )
    if not (verb and GRID_NOUNS & set(low) and EXAMPLE_NOUNS & set(low)):
        return None
    new = Step("click", Target(kind="checkbox", ordinal=ALL), manner="copy")
    return _put_first(steps, new, ("click", "check", "select", "type"))


def _game(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "playing as 'X', win a game of tic-tac-toe": one step plays the game to its end."""
    game = next((GAMES[w] for w in low if w in GAMES), None)
    if game is None and any(low[k : k + 3] == ["tic", "tac", "toe"] for k in range(len(low))):
        game = "tic-tac-toe"
    if game is None:
        return None
    side = None
    for k in range(len(tokens) - 1):
        if low[k] in ("as", "play", "playing", "with"):
            j = k + 1 + (tokens[k + 1].low in ("a", "an"))
            if j < len(tokens) and tokens[j].text.upper() in SIDES and len(tokens[j].text) == 1:
                side = tokens[j].text.upper()
                break
    new = Step("click", Target(text=game), value=side, manner="game")
    return [new, *_sending(steps)]


def _sending(steps: list[Step]) -> list[Step]:
    """The steps that send what a routine did ("... and press Submit"); the routine itself
    does the rest of its sentence."""
    return [
        s
        for s in steps
        if s.verb == "submit" or (s.target is not None and s.target.text.lower() in SENDS)
    ]


def _terminal(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "use the terminal to delete a file ending with .zip": ls, read, rm the file."""
    named = TERMINALS & set(low) or any(
        a == "command" and b == "line" for a, b in zip(low, low[1:], strict=False)
    )
    verb = next((k for k, w in enumerate(low) if w in DELETE_VERBS), -1)
    if not named or verb < 0 or "file" not in low[verb:]:
        return None
    ext = None
    for k in range(verb, len(low) - 1):
        if low[k] == "extension" or (low[k] in ("with", "in") and low[k - 1] in ENDING):
            j = k + 1
            while j < len(low) and low[j] in ("the", "extension"):
                j += 1
            if j < len(tokens):
                word = tokens[j].text.strip().rstrip(".")
                if word and word.lower() not in ("no", "any", "a"):
                    ext = word if word.startswith(".") else "." + word
            break
    if ext is None:
        return None
    return [Step("type", Target(text="terminal"), value=ext, manner="delete_file")]


def _track(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "keep your mouse inside the circle as it moves", "follow the dot with the mouse"."""
    phrase: list[Token] | None = None
    for k, w in enumerate(low):
        if w in KEEP_VERBS and low[k + 1 : k + 2] in (["the"], ["your"]):
            j = k + 2
            if j >= len(low) or low[j] not in POINTERS:
                continue
            j += 1
            while j < len(low) and (low[j] in POINTERS or low[j] in RESTING):
                j += 1
            start = j + 3 if low[j : j + 3] == ["on", "top", "of"] else j + 1
            if j < len(low) and low[j] in ON_WORDS:
                phrase = tokens[start : _upto(tokens, low, start, TRACK_END)]
        elif (
            w == "keep"
            and low[k + 1 : k + 2] == ["hovering"]
            and low[k + 2 : k + 3]
            in (
                ["over"],
                ["on"],
            )
        ):
            phrase = tokens[k + 3 : _upto(tokens, low, k + 3, TRACK_END)]
        elif w in FOLLOW_VERBS:
            at = next(
                (
                    j
                    for j in range(k + 1, len(low) - 2)
                    if low[j] == "with" and low[j + 1] in ("the", "your") and low[j + 2] in POINTERS
                ),
                -1,
            )
            if at > k + 1:
                phrase = tokens[k + 1 : at]
        if phrase:
            break
    if not phrase:
        return None
    words = _bare(phrase)
    new = Step("hover", Target(text=join(words), look=look_of(words)), manner="track")
    end = next((j for j, w in enumerate(low) if w == "then" or (w == "and" and low[j + 1 :][:1]
                and low[j + 1] in SENDING)), len(low))  # fmt: skip
    return [new, *(s for s in steps[1:] if _said_at(low, s) >= end)]


def _said_at(low: list[str], step: Step) -> int:
    """Where the first word of a step's target stands in the sentence (len(low) if nowhere)."""
    first = step.target.text.lower().split()[:1] if step.target is not None else []
    return low.index(first[0]) if first and first[0] in low else len(low)


def _range(tokens: list[Token], low: list[str]) -> str | None:
    """ "between 0-9", "from 1 to 10", "between 2 and 6" as "between A and B", or None."""
    for k, w in enumerate(low[:-1]):
        if w not in ("between", "from"):
            continue
        span = re.fullmatch(r"(-?\d+)[-–](-?\d+)", tokens[k + 1].text)
        if span is not None:
            return f"between {span.group(1)} and {span.group(2)}"
        if k + 3 < len(low) and low[k + 2] in ("-", "–", "to", "and"):
            a, b = tokens[k + 1].text, tokens[k + 3].text
            if a.lstrip("-").isdigit() and b.lstrip("-").isdigit():
                return f"between {a} and {b}"
    return None


def _guess(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "guess the number between 0-9": guesses halve the range by the page's feedback (the
    loop sends each guess; of the sentence's other steps only a sending click is kept)."""
    hinted = bool({"feedback", "hints", "clues"} & set(low)) and bool(FIND_VERBS & set(low))
    if not ({"guess", "guessing"} & set(low) or hinted) or not NUMBER_NOUNS & set(low):
        return None
    new = Step("click", Target(kind="text_field"), condition=_range(tokens, low), manner="guess")
    return [new, *_sending(steps)]


def _produce(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "generate a number less than 5", "keep rolling until you get an even number", "press
    Generate until the number is below 4": press the button the verb names until the number
    shown meets the condition."""
    for k, w in enumerate(low):
        verb = next((v for v in PRODUCE_VERBS if w == v or _gerund(w, v)), None)
        if verb is None:
            continue
        j = k + 1
        skip = ("a", "an", "the", "random", "new", "dice", "die")
        while j < len(low) and low[j] in skip:
            j += 1
        start = j
        if low[j : j + 1] == ["until"]:
            j += 1
            if low[j : j + 2] in (["you", "get"], ["it", "shows"]):
                j += 2
            while j < len(low) and low[j] in ("a", "an"):
                j += 1
            start = j
        while j < len(low) and low[j] in NUMBER_KINDS:
            j += 1
        if j >= len(low) or low[j].removesuffix("s") not in NUMBER_NOUNS:
            continue
        after = tokens[j + 1] if j + 1 < len(tokens) else None
        if after is not None and (after.quoted or after.text[:1].isdigit() or after.low == "of"):
            continue  # "draw the number 3": that number, not any; "get the number of items"
        end = _upto(tokens, low, j + 1, frozenset())
        if low[j + 1 : j + 2] == ["until"]:  # "generating numbers until you get one above 7"
            start = j + 2
        words = join(tokens[start:end])
        cond = f"until {words}" if words and words.split() != [low[j]] else None
        text = tokens[k].text if w == verb else verb
        new = Step("click", Target(text=text), condition=cond, manner="until")
        return _in_clause(steps, set(low[:end]), new)
    for k, s in enumerate(steps):  # "press Generate until the number shown is below 4"
        said = set((s.condition or "").lower().split())
        numeric = said & (NUMBER_NOUNS | NUMBER_KINDS) or any(w.isdigit() for w in said)
        if s.verb == "click" and s.target and (s.condition or "").startswith("until") and numeric:
            return [*steps[:k], replace(s, manner="until"), *steps[k + 1 :]]
    return None


def _gerund(word: str, verb: str) -> bool:
    """ "generating" for "generate", "rolling" for "roll", "spinning" for "spin"."""
    return word.endswith("ing") and len(verb) >= 3 and word.startswith(verb.rstrip("e")[:4])


def _in_clause(steps: list[Step], said: set[str], new: Step) -> list[Step]:
    """`steps` with the first one whose words all stand in `said` (the clause `new` reads)
    replaced by `new`, or `new` put first."""
    for k, s in enumerate(steps):
        words = " ".join(
            filter(None, [s.target.text if s.target else "", s.answer or "", s.value or ""])
        )
        if words and set(words.lower().split()) <= said:
            return [*steps[:k], new, *steps[k + 1 :]]
    return [new, *steps]


def _angle(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "add a third point to create a right angle", "a line that bisects the angle"."""
    pairs = list(zip(low, low[1:], strict=False))
    right = (
        ("right", "angle") in pairs
        or "perpendicular" in low
        or any(a == "90" and b.startswith(("degree", "°")) for a, b in pairs)
        or "90°" in low
    )
    angle_at = next((k for k, w in enumerate(low) if w in ("angle", "angles")), -1)
    half = any(w.startswith("bisect") for w in low) or (
        angle_at > 0 and any(w in BISECT_VERBS for w in low[:angle_at])
    )
    if not (right or half):
        return None
    manner = "bisect" if half and not right else "right_angle"
    new = Step("click", Target(look=Look(shape="circle")), manner=manner)
    return _put_first(steps, new)


def _similar(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "select words similar to delighted, loathe": one step per word, by meaning."""
    at = next((k for k, w in enumerate(low) if w in SIMILAR_WORDS), -1)
    if at < 0:
        return None
    j = at + 1 + 2 * (low[at + 1 : at + 3] == ["in", "meaning"])
    if j >= len(low) or low[j] not in ("to", "of", "with"):
        return None
    end = len(low)
    for k in range(j + 1, len(low)):
        after = low[k + 1 + (low[k + 1 : k + 2] == ["then"]) :][:1]
        if low[k] in (".", ";") or (low[k] in ("and", "then") and after and after[0] in SENDING):
            end = k
            break
    words, item = [], []
    for t, w in zip(tokens[j + 1 : end], low[j + 1 : end], strict=True):
        if w in (",", "and", "or"):
            if item:
                words.append(join(item))
            item = []
        else:
            item.append(t)
    if item:
        words.append(join(item))
    words = [w for w in words if w.lower() not in ("nothing", "none")]
    said = [w.lower() for w in words]
    kept = [
        s
        for s in steps
        if s.target is None
        or not (
            "similar" in s.target.text.lower()
            or s.target.text.lower() in SIMILAR_WORDS
            or any(w in s.target.text.lower() for w in said)
            or s.target.text.lower() in ("nothing", "none")
        )
    ]
    return [Step("select", Target(text=w), manner="similar") for w in words] + kept


def _classify(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "mark the numbers as odd or even": each item marked by which category it is in."""
    for m, w in enumerate(low):
        if w != "or" or m + 1 >= len(low):
            continue
        j = m + 1 + (low[m + 1] in ("a", "an"))
        if j >= len(low) or low[j] not in CATEGORIES:
            continue
        names, k = [], m - 1
        while k >= 0 and (low[k] in CATEGORIES or low[k] == ",") and len(names) < 2:
            if low[k] in CATEGORIES:
                names.insert(0, low[k])
            k -= 1
        while k > 0 and low[k] in ("a", "an", "each", "one", "it", "they", "every"):
            k -= 1  # "as an odd ...", "is each one odd ..."
        if not names or k < 0 or low[k] not in ("as", "is", "are"):
            continue
        names.append(low[j])
        value = ", ".join(names[:-1]) + " or " + names[-1]
        k = _first(steps, ("check", "click", "select"))
        # "..., negative or zero" names categories, not things to click
        rest = [
            s
            for i, s in enumerate(steps)
            if i == k or s.target is None or not _names_category(s.target, names)
        ]
        k = _first(rest, ("check", "click", "select"))
        if k < 0:
            new = Step("click", Target(ordinal=ALL), value=value, manner="classify")
            return [new, *(s for s in rest if s.verb not in ("read",))]
        return [*rest[:k], replace(rest[k], manner="classify", value=value), *rest[k + 1 :]]
    return None


def _names_category(target: Target, names: list[str]) -> bool:
    """Whether a target's words start with a category ("negative", "odd number")."""
    first = target.text.lower().split()[:1]
    return bool(first) and first[0] in names


def _colour(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "select teal with the color picker": the colour named (or the swatch shown) picked."""
    pairs = list(zip(low, low[1:], strict=False))
    tool = any(a in COLOUR_NOUNS and b in COLOUR_TOOLS for a, b in pairs) or any(
        w in ("colorwheel", "colourwheel", "colorpicker", "colourpicker") for w in low
    )
    if not tool:
        return None
    colour = None
    for k, w in enumerate(low):
        two = w + low[k + 1] if k + 1 < len(low) else ""
        if two in COLOURS:
            colour = f"{tokens[k].text} {tokens[k + 1].text}".lower()
            break
        if w in COLOURS:
            colour = w
            break
    new = Step("select", Target(text="colour picker"), value=colour, manner="colour")
    said = (colour or "").lower()
    steps = [s for s in steps if not (said and s.target and s.target.text.lower() == said)]
    return _put_first(steps, new, ("select", "click", "type", "drag"))


def _probe(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step] | None:
    """ "find and click on the HOT area": hover to probe until the page says the word."""
    if not FIND_VERBS & set(low):
        return None
    for k, s in enumerate(steps):
        words = s.target.text.split() if s.verb == "click" and s.target is not None else []
        for size in (2, 1):
            at = next(
                (j for j in range(len(words)) if " ".join(words[j : j + size]).lower() in SCALE),
                -1,
            )
            rest = {w.lower() for w in words[:at] + words[at + size :]} if at >= 0 else {""}
            if at >= 0 and rest <= SPOT_WORDS:
                word = " ".join(words[at : at + size])
                new = replace(s, target=replace(s.target, text=word), manner="probe")
                return [*steps[:k], new, *steps[k + 1 :]]
    return None


_READERS: tuple[Reader, ...] = (
    _copy, _game, _terminal, _track, _guess, _produce, _angle, _similar, _classify, _colour,
    _probe,
)  # fmt: skip


# ------------------------------------------------------------------------------ per step
def _each(low: list[str], steps: list[Step]) -> list[Step]:
    """A click on something in every item an anchor names ("... on all posts by @x") or in
    some of them ("on 2 posts by @x")."""
    count = None
    for k in range(len(low) - 3):
        n = _number(low[k + 1])
        if low[k] == "on" and n is not None and low[k + 3] in ("by", "from", "of"):
            count = n
    out = []
    for s in steps:
        anchor = s.target.anchor if s.target is not None else None
        if s.verb == "click" and anchor is not None and anchor.text:
            if anchor.ordinal == ALL:
                s = replace(s, manner="each")
            elif count is not None:
                plain = replace(anchor, look=None) if anchor.look and anchor.look.char else anchor
                s = replace(s, target=replace(s.target, anchor=plain), manner="each")
                s = replace(s, value=str(count))
        out.append(s)
    return out


def _counted(step: Step) -> Step:
    """A read step asking how many of a drawn plural there are ("the total number of blocks")."""
    answer = set((step.answer or "").lower().split())
    text = step.target.text if step.target is not None else ""
    if step.verb != "read" or not answer & COUNT_WORDS or not text.isalpha():
        return step
    return replace(step, manner="count") if text.lower().endswith("s") else step


def _box_end(low: list[str], step: Step) -> Step:
    """A scroll to a box's end or a read of its last word or line keeps the box the sentence
    names ("scroll the panel to the bottom", "... to the bottom of the text area")."""
    ends = (step.verb == "scroll" and step.value in ("top", "bottom")) or (
        step.verb == "read" and step.answer in ("last word", "last line")
    )
    if not ends or step.target is not None:
        return step
    pairs = set(zip(low, low[1:], strict=False))
    if BOX_NOUNS & set(low) or ("text", "area") in pairs or ("text", "box") in pairs:
        return replace(step, target=Target(kind="text_area"))
    return step
