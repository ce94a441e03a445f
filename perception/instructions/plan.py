"""What an instruction asks for, as data: a `Plan` of `Step`s, each naming a verb and the
`Target` it acts on, the way a person describes an element (its words, kind, position).

Conventions an executor relies on:
- `Target.text` is the words the element shows or is labelled with ("" when the phrase names
  only a kind); `ordinal` counts from 1 in reading order, -1 is the last, `ALL` (0) every match.
- `Step.value` is what to type or choose (`ANSWER` stands for what the latest read step found);
  for scroll and drag it may be a direction ("up", "down", "left", "right", "top", "bottom")
  or an amount.
- `Step.condition` is the instruction's own words for when or which ("if ...", "until ...",
  "except ...", "starts with ...").
- `Step.answer` on a read step says what to take from the target ("2nd line", "price").
- `Target.look` is how a drawn thing looks ("the small red box"): size, colour, shape, the
  letter or digit it shows, and which side of the matches.
- `Step.question` ("count", "sides", "category") asks the step to click the button whose label
  answers it about `Step.about` ("how many blue items": the count of blue items).
- `Step.manner` says how a click or drag is done: "ascending" / "descending" (numbers one by
  one in that order), "vertical" / "horizontal" / "diagonal" (a line drawn through the
  target), "midpoint" (halfway between the targets), "highlight" (drag over the text),
  "wider" / "narrower" / "taller" / "shorter" / "larger" / "smaller" (resize by its grip),
  "rest" (everything the step before did not move), "circle" (a circle drawn around the
  target), "shown" (click the targets in the order the page shows them, watched first),
  "moving" (click every target as it moves, where it will be when the click lands), "format"
  (select the target text and give it the style or colour `value`: "bold", "red").
- A routine manner says the step runs as a closed loop or a worked-out answer (read by
  `routines.py`): "until" (press the `target` button again until the shown number meets
  `condition`), "guess" (guess a number in `condition`'s range by the page's higher/lower
  feedback), "track" (keep the pointer on `target` as it moves), "probe" (hover to find the spot
  the page calls `target`, e.g. "hot"), "game" (play `target`'s game as side `value`),
  "delete_file" (delete the file whose name ends with `value` in a terminal), "colour" (pick the
  colour `value` names, or the swatch shown, with a colour picker), "count" (a read step's answer
  is how many `target`s are drawn), "right_angle" / "bisect" (a point placed by geometry),
  "similar" (choose the option nearest in meaning to `target`), "copy" (tick the grid as the
  example shows), "classify" (mark each item as one of `value`'s categories, "odd or even"),
  "each" (act on every item `target.anchor` names, or on `value` of them).
- A drag's `value` may also be a place in a list or grid: "top", "bottom left", "center", a
  rank ("3": the 3rd place) or a move ("down 1").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERBS = (
    "click", "double_click", "right_click", "type", "select", "check", "uncheck", "expand",
    "collapse", "scroll", "hover", "drag", "read", "submit", "press_key", "wait", "done",
)  # fmt: skip
KINDS = (
    "button", "link", "text_field", "password", "text_area", "checkbox", "radio", "dropdown",
    "tab", "menu_item", "list_option", "slider", "spinner", "date_field", "icon_button", "text",
    "any",
)  # fmt: skip
RELATIONS = ("left", "right", "above", "below", "near", "inside")
SHAPES = ("circle", "rectangle", "triangle", "polygon", "shape", "letter", "digit", "any_glyph",
          "any")  # fmt: skip
SIZES = ("large", "small", "larger", "smaller")
PLACES = ("left", "right", "top", "bottom")
QUESTIONS = ("count", "sides", "category")
MANNERS = (
    "ascending", "descending", "vertical", "horizontal", "diagonal", "midpoint", "highlight",
    "wider", "narrower", "taller", "shorter", "larger", "smaller", "rest", "circle", "shown",
    "moving", "format",
)  # fmt: skip
ROUTINES = (
    "until", "guess", "track", "probe", "game", "delete_file", "colour", "count", "right_angle",
    "bisect", "similar", "copy", "classify", "each",
)  # fmt: skip
ALL = 0
ANSWER = "{answer}"


@dataclass(frozen=True)
class Look:
    """How a drawn thing looks as the words say ("a large red circle", 'a "U"'); None: open."""

    size: str | None = None
    colour: str | None = None  # a colour word as said, lower case ("red", "teal")
    shape: str | None = None
    char: str | None = None  # the letter or digit it shows
    place: str | None = None  # which of the matches: the leftmost, the topmost, ...

    def __post_init__(self) -> None:
        for name, allowed in (("size", SIZES), ("shape", SHAPES), ("place", PLACES)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ValueError(f"unknown look {name} {value!r}; use one of {allowed}")

    @property
    def visual(self) -> bool:
        """True when only the pixels can tell it (a colour, a size, a shape or a glyph)."""
        return bool(self.colour or self.size or self.char or self.shape not in (None, "any"))

    def to_dict(self) -> dict[str, str]:
        """The fields that are set (for JSON)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Target:
    """An element as the instruction describes it: its words, its kind, which one, and where."""

    text: str = ""
    kind: str = "any"
    ordinal: int | None = None
    relation: str | None = None
    anchor: Target | None = None
    look: Look | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown target kind {self.kind!r}; use one of {KINDS}")
        if self.relation is not None and self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}; use one of {RELATIONS}")
        if (self.relation is None) != (self.anchor is None):
            raise ValueError("a relation needs an anchor target and an anchor needs a relation")

    def to_dict(self) -> dict[str, Any]:
        """The fields that differ from the defaults, nested anchors included (for JSON)."""
        out: dict[str, Any] = {}
        if self.text:
            out["text"] = self.text
        if self.kind != "any":
            out["kind"] = self.kind
        if self.ordinal is not None:
            out["ordinal"] = self.ordinal
        if self.relation is not None and self.anchor is not None:
            out["relation"] = self.relation
            out["anchor"] = self.anchor.to_dict()
        if self.look is not None:
            out["look"] = self.look.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        """The inverse of `to_dict`."""
        anchor, look = data.get("anchor"), data.get("look")
        return cls(
            text=data.get("text", ""),
            kind=data.get("kind", "any"),
            ordinal=data.get("ordinal"),
            relation=data.get("relation"),
            anchor=cls.from_dict(anchor) if anchor is not None else None,
            look=Look(**look) if look is not None else None,
        )


@dataclass(frozen=True)
class Step:
    """One thing to do: a verb from `VERBS` and the arguments its frame takes."""

    verb: str
    target: Target | None = None
    value: str | None = None
    destination: Target | None = None
    key: str | None = None
    answer: str | None = None
    condition: str | None = None
    question: str | None = None
    about: Target | None = None
    manner: str | None = None

    def __post_init__(self) -> None:
        if self.verb not in VERBS:
            raise ValueError(f"unknown verb {self.verb!r}; use one of {VERBS}")
        if self.question is not None and self.question not in QUESTIONS:
            raise ValueError(f"unknown question {self.question!r}; use one of {QUESTIONS}")
        if self.manner is not None and self.manner not in MANNERS + ROUTINES:
            raise ValueError(f"unknown manner {self.manner!r}; use one of {MANNERS + ROUTINES}")

    def to_dict(self) -> dict[str, Any]:
        """The verb and every argument that is set (for JSON)."""
        out: dict[str, Any] = {"verb": self.verb}
        for name in ("target", "destination", "about"):
            part = getattr(self, name)
            if part is not None:
                out[name] = part.to_dict()
        for name in ("value", "key", "answer", "condition", "question", "manner"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        """The inverse of `to_dict`."""
        unknown = set(data) - {"verb", "target", "value", "destination", "key", "answer",
                               "condition", "question", "about", "manner"}  # fmt: skip
        if unknown:
            raise ValueError(f"unknown step fields {sorted(unknown)}")
        target, destination, about = data.get("target"), data.get("destination"), data.get("about")
        return cls(
            verb=data["verb"],
            target=Target.from_dict(target) if target is not None else None,
            value=data.get("value"),
            destination=Target.from_dict(destination) if destination is not None else None,
            key=data.get("key"),
            answer=data.get("answer"),
            condition=data.get("condition"),
            question=data.get("question"),
            about=Target.from_dict(about) if about is not None else None,
            manner=data.get("manner"),
        )


@dataclass(frozen=True)
class Plan:
    """The steps an instruction asks for, in order, with the instruction they came from."""

    text: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The instruction and its steps (for JSON)."""
        return {"text": self.text, "steps": [step.to_dict() for step in self.steps]}
