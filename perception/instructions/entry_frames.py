"""Argument frames for verbs that fill fields: "type X into Y", "enter the password X into
both boxes", "set Y to X", "clear Y", "make sure Y is checked", "log in as X with password Y",
"search for X"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perception.instructions import lexicon as lx
from perception.instructions.phrase_lists import parse_list
from perception.instructions.phrases import kind_at, match, namelike, parse_phrase
from perception.instructions.plan import ALL, ANSWER, Step, Target
from perception.instructions.read_steps import quantity_end, read_step
from perception.instructions.targets import Context, resolve, split_at, target_frame
from perception.instructions.tokens import Token, join

_INTO = ("into", "in", "inside", "within", "on", "onto", "to", "as", "under", "for", "in to")
BY_LABEL = "by each field's label"  # a type step's condition: each field takes its label's value
_EACH_LABEL = frozenset(
    f"{a} {b}" for a in ("each", "every", "its", "their") for b in ("label", "field", "labels")
)
_FILL_VERBS = ("fill", "populate", "complete", "put", "update")
_ON_WORDS = frozenset({"on", "checked", "ticked", "enabled", "true", "yes", "selected", "1"})
_OFF_WORDS = frozenset(
    {"off", "unchecked", "unticked", "disabled", "false", "no", "0", "deselected", "unselected"}
)
_USER_WORDS = ("as", "username", "user", "email", "e-mail", "login", "account", "name")
_PASSWORD_WORDS = ("password", "pass", "pw", "passcode", "pwd")
_NOT_NAMES = lx.FIELD_NOUNS | lx.DETERMINERS | {"and", "with"}


_CASES = {"lower": "lower", "lowercase": "lower", "small": "lower", "upper": "upper",
          "uppercase": "upper", "capital": "upper", "capitals": "upper", "caps": "upper",
          "block": "upper"}  # fmt: skip
_CASE_TAIL = frozenset({"case", "cased", "letters", "letter", "characters", "chars", "only"})


def _letter_case(words: list[Token]) -> tuple[list[Token], str | None]:
    """The words without a letter-case phrase ("in all lower case letters", "in capitals", "all
    caps") and the case it asks for."""
    for i, token in enumerate(words):
        case = _CASES.get(token.low)
        if case is None or token.quoted:
            continue
        start = i
        while start > 0 and words[start - 1].low in ("in", "all", "using", "with", "only"):
            start -= 1
        if start == i and not (i + 1 < len(words) and words[i + 1].low in _CASE_TAIL):
            continue  # "small" alone is a size, not a case
        end = i + 1
        while end < len(words) and words[end].low in _CASE_TAIL:
            end += 1
        return words[:start] + words[end:], case
    return words, None


def type_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Type a value: "type X into Y", "put the code X in both boxes", "fill Y with
    X", "enter X as the start date", "use Y to enter X" (each value into its own field); "in
    lower case" / "in capitals" types the value in that case."""
    words, case = _letter_case(words)
    if _by_label(words):  # "enter the value that goes with each label into the form"
        return [
            Step("type", Target(kind="text_field", ordinal=ALL), value=ANSWER, condition=BY_LABEL)
        ]
    steps = _type_steps(sense, words, ctx)
    if case is None:
        return steps
    return [
        replace(s, value=getattr(s.value, case)())
        if s.verb == "type" and s.value and "{" not in s.value
        else s
        for s in steps
    ]


def _by_label(words: list[Token]) -> bool:
    """Whether the value is each field's own, found by its label elsewhere on the page ("the
    value that corresponds with each label", "each field's value from the table")."""
    low = [t.low for t in words]
    pairs = {f"{a} {b}" for a, b in zip(low, low[1:], strict=False)}
    return bool(pairs & _EACH_LABEL) and any(w in lx.QUANTITIES for w in low)


def _type_steps(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    with_at = split_at(words, ("with",))
    fill = sense.phrase.split(" ")[0] in _FILL_VERBS and _relative(words) is None
    if fill and with_at > 0:
        target_words = words[1:with_at] if words[0].low in ("in", "out") else words[:with_at]
        return type_into(words[with_at + 1 :], target_words, ctx)
    as_at = split_at(words, ("as",))
    if fill and as_at > 0 and not any(t.quoted for t in words[:as_at]):
        # "fill in your email as X": the field comes first ("enter X as the email" is typed)
        target_words = words[1:as_at] if words[0].low in ("in", "out") else words[:as_at]
        return type_into(words[as_at + 1 :], target_words, ctx)
    colon = next((i for i, t in enumerate(words) if t.low == ":"), -1)
    if colon > 0:
        target_words = [t for t in words[:colon] if t.low not in ("in", "into", "on")]
        return type_into(words[colon + 1 :], target_words, ctx)
    if words and words[0].low in ("in", "into"):
        field_end = _field_end(words)
        if field_end > 1:
            return type_into(words[field_end:], words[1:field_end], ctx)
    steps: list[Step] = []
    for n, segment in enumerate(_segments(words)):
        into = split_at(segment, _INTO)
        if into > 0:
            prep = segment[into].low
            steps.extend(type_into(segment[:into], segment[into + 1 :], ctx, prep, n))
        else:
            steps.extend(type_into(segment, [], ctx, "", n))
    return steps


def _field_end(words: list[Token]) -> int:
    """Where the field of "type in the search box X" ends: after its kind noun or before the
    last quoted span (0 when neither is there)."""
    quoted = [i for i, t in enumerate(words) if t.quoted]
    if quoted and quoted[-1] > 1:
        return quoted[-1]
    for i in range(len(words) - 1, 0, -1):
        size = kind_at(words, i)[1]
        if size and i + size < len(words):
            return i + size
    return 0


def type_into(
    value_words: list[Token], target_words: list[Token], ctx: Context, prep: str = "", n: int = 0
) -> list[Step]:
    """Type steps for one value phrase into the field(s) `target_words` name, or the field the
    value phrase implies ("the password X"); the `n`th value of a list takes the nth field."""
    phrases = parse_list(target_words, "type", ctx.similarity) if target_words else []
    explicit = [t for t in resolve(phrases, ctx) if t != Target()]
    if prep == "as" and len(explicit) == 1 and explicit[0].kind == "any":
        words = target_words[1:] if target_words[0].low in lx.DETERMINERS else target_words
        explicit = [_field(words, ctx) or explicit[0]]
    reads, value, implied, condition = _value_phrase(value_words, ctx)
    if len(explicit) == 1 and explicit[0].ordinal == ALL and implied is not None:
        targets = [implied]
    elif len(explicit) == 1 and explicit[0].ordinal == ALL:
        targets = [replace(explicit[0], ordinal=n + 1)]
    else:
        targets = explicit or [implied]  # type: ignore[list-item]
    return [*reads, *(Step("type", t, value=value, condition=condition) for t in targets)]


def _segments(words: list[Token]) -> list[list[Token]]:
    """Split "the username X and the password Y into ..." into one value phrase per field."""
    cuts = [i for i in range(1, len(words) - 1) if _new_value_at(words, i)]
    if not cuts:
        return [words]
    out, start = [], 0
    for cut in cuts:
        out.append(words[start:cut])
        start = cut + 1
    out.append(words[start:])
    return out


def _new_value_at(words: list[Token], i: int) -> bool:
    """Whether the "and" / "," at i starts another quoted value ("... and the password Y")."""
    nxt = words[i + 1]
    return (
        words[i].low in ("and", ",")
        and (
            nxt.low in lx.DETERMINERS or nxt.quoted or bool(match(words, i + 1, lx.FIELD_NOUNS)[1])
        )
        and any(w.quoted for w in words[:i])
        and any(w.quoted for w in words[i + 1 :])
    )


def _value_phrase(
    words: list[Token], ctx: Context
) -> tuple[list[Step], str | None, Target | None, str | None]:
    """(read steps, value, implied field, condition) of what a type verb's object says: a
    literal, "the username X", "the price of the lamp", "that", "an item that starts with X"."""
    if not words:
        return [], None, None, None
    low = " ".join(t.low for t in words)
    if ctx.has_read() and (low in lx.ANSWER_PRONOUNS or low.replace("the ", "") in lx.QUANTITIES):
        return [], ANSWER, None, None
    quoted = [n for n, t in enumerate(words) if t.quoted]
    start = 0
    while start < len(words) and words[start].low in lx.DETERMINERS:
        start += 1
    size = max(match(words, start, lx.FIELD_NOUNS, 4)[1], kind_at(words, start)[1])
    if not quoted and start and quantity_end(words, start) > start:
        return read_step(words, ctx), ANSWER, None, None
    relative = _relative(words)
    if relative is not None and not (quoted and quoted[0] < 2):
        return [], None, None, relative
    if quoted and (quoted[0] > start or len(words) == 1):
        field_words = words[start : quoted[0]]
        value = words[quoted[0]].text
        return [], value, _field(field_words, ctx), None
    of_at = split_at(words, ("of", "for", "from", "in"), start + 1)
    if of_at > start + size - 1 and words[of_at - 1].low.rstrip("s") in lx.QUANTITIES:
        read = read_step(words, ctx)
        return read, ANSWER, None, None
    if size and start + size < len(words):
        value = join(words[start + size :])
        return [], value, _field(words[start : start + size], ctx), None
    return [], join(words), None, None


def _relative(words: Sequence[Token]) -> str | None:
    """The relative clause of a value phrase ("an item that starts with X"), if any."""
    phrase = parse_phrase(words) if words else None
    return phrase.condition if phrase is not None else None


def _field(words: Sequence[Token], ctx: Context) -> Target | None:
    """The field a descriptor names ("username" -> a text field labelled username)."""
    if not words:
        return None
    phrase = parse_phrase(words, "type", ctx.similarity)
    target = phrase.target
    low = " ".join(t.low for t in words)
    if target.kind == "any" and low in lx.FIELD_NOUNS:
        return Target(text=low, kind="text_field")
    return target


def set_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "set X to Y": drag a slider, choose in a dropdown, tick a box or type into a field."""
    at = split_at(words, ("to", "as", "at", "="))
    if at < 0:
        return target_frame(lx.Sense("click", "target"), words, ctx)
    target = resolve([parse_phrase(words[:at], "set", ctx.similarity)], ctx)
    value_words = words[at + 1 :]
    value = value_words[0].text if len(value_words) == 1 else join(value_words)
    if words[at].low == "as":
        return type_into(words[:at], value_words, ctx, "as")
    control = target[0] if target else None
    kind = control.kind if control else "any"
    if value.lower() in _ON_WORDS | _OFF_WORDS and kind in ("checkbox", "radio", "any"):
        return [Step("check" if value.lower() in _ON_WORDS else "uncheck", control)]
    if kind == "slider":
        return [Step("drag", control, value=value)]
    if kind in ("dropdown", "list_option", "radio", "menu_item"):
        return [Step("select", control, value=value)]
    return [Step("type", _as_field(control, words[:at]), value=value)]


def _as_field(control: Target | None, words: list[Token]) -> Target | None:
    """A control named only by a field noun ("the quantity", "the title") as that text field."""
    if control is None or control.kind not in ("any", "text"):
        return control
    low = " ".join(t.low for t in words if t.low not in lx.DETERMINERS)
    if low in lx.FIELD_NOUNS and (not control.text or control.text.islower()):
        return Target(text=low, kind="text_field")
    return control


def clear_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "clear" unticks boxes and empties fields."""
    phrases = parse_list(words, "uncheck", ctx.similarity)
    steps = []
    for target in resolve(phrases, ctx) or [None]:
        if target is not None and target.kind in ("checkbox", "radio"):
            steps.append(Step("uncheck", target))
        else:
            steps.append(Step("type", target, value=""))
    return steps


def ensure_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "make sure X is checked / unchecked / set to Y": the step that makes it so."""
    at = split_at(words, ("is", "are", "stays", "remains", "gets", "has been", "is set to"))
    if at < 0:
        return target_frame(lx.Sense("check", "target"), words, ctx)
    state = [t for t in words[at + 1 :] if t.low not in ("not", "set", "to", "now")]
    negated = any(t.low == "not" for t in words[at + 1 :])
    subject = words[:at]
    low = " ".join(t.low for t in state)
    if low in _ON_WORDS | _OFF_WORDS:
        on = (low in _ON_WORDS) != negated
        return target_frame(lx.Sense("check" if on else "uncheck", "target"), subject, ctx)
    if low in ("empty", "blank", "cleared"):
        return clear_frame(sense, subject, ctx)
    return set_frame(sense, [*subject, Token("to"), *state], ctx)


def login_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "log in as X with password Y": type both into their fields, then submit."""
    user, password, user_field = None, None, "username"
    i = 0
    while i < len(words):
        low = words[i].low
        nxt = words[i + 1] if i + 1 < len(words) else None
        if low in _PASSWORD_WORDS and nxt is not None:
            password, i = nxt.text, i + 2
            continue
        if low in _USER_WORDS and nxt is not None and nxt.low not in _NOT_NAMES:
            user, i = nxt.text, i + 2
            user_field = "email" if low in ("email", "e-mail") else user_field
            continue
        i += 1
    steps = []
    if user is not None:
        steps.append(Step("type", Target(text=user_field, kind="text_field"), value=user))
    if password is not None:
        steps.append(Step("type", Target(kind="password"), value=password))
    return [*steps, Step("submit")]


def search_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "search for X [in Y]": type X into the search box (or Y) and submit."""
    box = Target(text="search", kind="text_field")
    place = split_at(words, ("for",))
    if place > 0:
        phrase = parse_phrase(words[:place], "type", ctx.similarity)
        if phrase.target.kind != "any" and not phrase.container:
            box = phrase.target
        words = words[place + 1 :]
    if words and words[0].low == "for":
        words = words[1:]
    at = split_at(words, ("in", "on", "using", "with", "via", "into"))
    if at > 0:
        phrase = parse_phrase(words[at + 1 :], "type", ctx.similarity)
        if not phrase.container and (phrase.target.text or phrase.target.kind != "any"):
            box = phrase.target
        words = words[:at]
    value = words[0].text if len(words) == 1 else join(words)
    return [Step("type", box, value=value), Step("submit")]


def signup_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "sign up with the name X, the email Y and the password Z": each value typed into the
    field its words name, then the form sent; without such pairs, the sign-up button."""
    at = next((k for k, t in enumerate(words) if t.low in ("with", "using", "as")), -1)
    steps: list[Step] = []
    segment: list[Token] = []
    for token in [*words[at + 1 :], Token(",")] if at >= 0 else []:
        if not token.quoted and token.low in (",", "and", "."):
            step = _field_value(segment)
            if step is not None:
                steps.append(step)
            segment = []
        else:
            segment.append(token)
    if not steps:
        return [Step("click", Target(text=sense.phrase or "sign up"))]
    return [*steps, Step("submit")]


def _field_value(words: list[Token]) -> Step | None:
    """ "the email ada@lab.io" as a type step: the field's words, then the value (from the
    first quoted or name-like word on), or None when either is missing."""
    words = [t for t in words if t.quoted or t.low not in lx.DETERMINERS]
    start = next((k for k, t in enumerate(words) if k and (t.quoted or namelike(t))), -1)
    if start < 1:
        return None
    field = join(words[:start]).lower()
    value = words[start].text if words[start].quoted else join(words[start:])
    if field in _PASSWORD_WORDS:
        return Step("type", Target(kind="password"), value=value)
    return Step("type", Target(text=field, kind="text_field"), value=value)
