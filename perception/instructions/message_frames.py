"""Argument frames for message and social verbs: "reply to them with X", "forward that email
to Y", and verbs that name their own button ("share the photo by @ana", "delete it")."""

from __future__ import annotations

from perception.instructions import lexicon as lx
from perception.instructions.phrases import namelike, parse_phrase
from perception.instructions.plan import ALL, Step, Target
from perception.instructions.targets import Context, split_at
from perception.instructions.tokens import Token, join

_FRAMING = frozenset({"the", "a", "text", "message", "words"})
_GENERIC_OBJECTS = frozenset(
    [
        "email",
        "message",
        "mail",
        "post",
        "tweet",
        "item",
        "entry",
        "form",
        "page",
        "changes",
        "change",
        "settings",
        "setting",
        "file",
        "document",
        "it",
        "them",
        "this",
        "that",
        "everything",
        "order",
        "one",
    ]
)


def _opening(words: list[Token], ctx: Context) -> list[Step]:
    """A click on the message a reply or forward names, unless it is the one already open."""
    if not words:
        return []
    phrase = parse_phrase(words, "click", ctx.similarity)
    low = phrase.target.text.lower()
    if phrase.pronoun or not low or low in _GENERIC_OBJECTS:
        return []
    return [Step("click", phrase.target)]


def reply_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "reply to them with the text X": open reply, type X in the body, send."""
    with_at = split_at(words, ("with", "saying", "that says", ":"), 0)
    head = words[:with_at] if with_at >= 0 else words
    steps = _opening(head[1:] if head and head[0].low == "to" else head, ctx)
    steps.append(Step("click", Target(text="reply")))
    if with_at < 0 and head and head[-1].quoted:
        steps = _opening(head[1:-1] if head[0].low == "to" else head[:-1], ctx)
        steps.append(Step("click", Target(text="reply")))
        steps.append(Step("type", Target(kind="text_area"), value=head[-1].text))
        return [*steps, Step("click", Target(text="send"))]
    if with_at >= 0:
        rest = words[with_at + 1 :]
        quoted = [t for t in rest if t.quoted]
        value = quoted[0].text if quoted else join([t for t in rest if t.low not in _FRAMING])
        steps.append(Step("type", Target(kind="text_area"), value=value))
    return [*steps, Step("click", Target(text="send"))]


def forward_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "forward that email to X": open forward, type X in the "To" field, send."""
    at = split_at(words, ("to",), 0)
    steps = _opening(words[:at] if at >= 0 else words, ctx)
    steps.append(Step("click", Target(text="forward")))
    if at >= 0:
        rest = words[at + 1 :]
        # The recipient goes in the field labelled "To" (every mail form has one).
        steps.append(Step("type", Target(text="to", kind="text_field"), value=join(rest)))
    return [*steps, Step("click", Target(text="send"))]


def button_frame(verb_word: str, words: list[Token], ctx: Context) -> list[Step]:
    """A verb that names its own button ("share the photo by @ana"): click that button, near
    the element the object names when it names one."""
    button = Target(text=verb_word)
    at = split_at(words, ("to", "into", "from", "in", "on"))
    if at > 0 and (words[at].low in ("to", "into") or not any(namelike(t) for t in words[at:])):
        words = words[:at]
    if words:
        phrase = parse_phrase(words, "click", ctx.similarity)
        text = phrase.target.text.lower()
        generic = text in _GENERIC_OBJECTS and phrase.target.ordinal in (None, ALL)
        if not phrase.pronoun and not phrase.container and text and not generic:
            button = Target(text=verb_word, relation="near", anchor=phrase.target)
    return [Step("click", button)]


# States an item is marked as by a button of that name (a star for "important"), not a box.
MARK_STATES = frozenset((
    "important", "starred", "favourite", "favorite", "read", "unread", "spam", "junk", "urgent",
    "done", "complete", "completed", "liked", "bookmarked",
))  # fmt: skip


def mark_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "mark the email from Ana as important": click what marks it so, near the item; "mark
    the box" without such a state checks the box."""
    from perception.instructions.frames import target_frame

    at = split_at(words, ("as",))
    if at > 0 and at == len(words) - 2 and words[-1].low in MARK_STATES:
        return button_frame(words[-1].low, words[:at], ctx)
    return target_frame(lx.Sense("check", "target"), words, ctx)
