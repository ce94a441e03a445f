"""Noun phrases to targets: "the third search field", 'the "Share" button for @ana',
"the button left of OK", "Oslo, Lima" — words, kind, ordinal, relation and anchor."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from perception.instructions import figures
from perception.instructions import lexicon as lx
from perception.instructions.plan import ALL, Target
from perception.instructions.tokens import Token, join

Similarity = Callable[[str, list[str]], Sequence[float]]
KIND_THRESHOLD = 0.7
_NUMBERED = re.compile(r"^#?(\d{1,3})(?:st|nd|rd|th)?$", re.I)
_ORDINAL_NUMBER = re.compile(r"^(\d{1,3})(?:st|nd|rd|th)$", re.I)
WEAK = frozenset({
    "for", "by", "from", "of", "with", "belonging to", "associated with", "corresponding to",
    "that corresponds to", "that corresponds with",
})  # fmt: skip
_SINGULAR = ("email", "file", "folder", "item", "post", "message", "row", "card", "entry",
             "tweet", "comment", "product")  # fmt: skip
_PLURAL_NOUNS = {f"{noun}s": noun for noun in _SINGULAR}
_FILLER_WORDS = lx.ADJECTIVES | set(lx.NUMBER_WORDS)
_STRONG = frozenset({
    "button", "buttons", "link", "links", "tab", "tabs", "checkbox", "checkboxes", "field",
    "fields", "textbox", "icon", "menu", "slider", "dropdown", "box", "boxes", "text field",
    "text box", "check box", "radio button", "input field", "drop-down", "menu item", "text area",
})  # fmt: skip
_STOP_AFTER_HEAD = frozenset({"here", "there", "please", "now", "again", "too", "instead",
                              "also", "as", "well", "only", "first"})  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    """A parsed noun phrase: the target it names plus what else its words said."""

    target: Target
    condition: str | None = None
    plural: bool = False
    both: bool = False
    pronoun: bool = False
    container: bool = False
    named: bool = False
    descriptive: bool = False


def match(tokens: Sequence[Token], i: int, table: object, longest: int = 6) -> tuple[str, int]:
    """The longest phrase of `table` (a dict or set of lower-case phrases) starting at token i."""
    for size in range(min(longest, len(tokens) - i), 0, -1):
        words = tokens[i : i + size]
        if any(t.quoted for t in words):
            continue
        phrase = " ".join(t.low for t in words)
        if phrase in table:  # type: ignore[operator]
            return phrase, size
    return "", 0


def kind_at(tokens: Sequence[Token], i: int) -> tuple[str, int, bool, str]:
    """(kind, length, plural, label) of a kind phrase at token i, or ("", 0, False, "")."""
    for size in range(min(4, len(tokens) - i), 0, -1):
        words = tokens[i : i + size]
        if any(t.quoted for t in words):
            continue
        low = [t.low for t in words]
        for form, plural in _singulars(low[-1]):
            phrase = " ".join([*low[:-1], form])
            if phrase in lx.LABELLED_KINDS:
                kind, label = lx.LABELLED_KINDS[phrase]
                return kind, size, plural, label
            if phrase in lx.KIND_PHRASES:
                return lx.KIND_PHRASES[phrase], size, plural, ""
    return "", 0, False, ""


def _singulars(word: str) -> list[tuple[str, bool]]:
    forms = [(word, False)]
    if word.endswith("ies"):
        forms.append((word[:-3] + "y", True))
    if word.endswith("es"):
        forms.append((word[:-2], True))
    if word.endswith("s") and not word.endswith("ss"):
        forms.append((word[:-1], True))
    return forms


def ordinal_at(tokens: Sequence[Token], i: int) -> tuple[int | None, int]:
    """(ordinal, length) of an ordinal word or number ("3rd", "second to last") at token i."""
    phrase, size = match(tokens, i, lx.ORDINALS, 4)
    if size and not (phrase in ("top", "bottom") and _ends_phrase(tokens, i + size)):
        return lx.ORDINALS[phrase], size
    if i < len(tokens) and not tokens[i].quoted:
        found = _ORDINAL_NUMBER.match(tokens[i].text)
        if found:
            return int(found.group(1)), 1
    return None, 0


def _ends_phrase(tokens: Sequence[Token], i: int) -> bool:
    return i >= len(tokens) or tokens[i].low in ("of", ",", ".")


def namelike(token: Token) -> bool:
    """Whether a word looks like a name rather than a common noun: quoted, capitalised, with
    a digit, a leading sign ("@ana", "#4") or a dot, @ or _ inside ("report.pdf")."""
    text = token.text
    if token.quoted or text[:1].isupper() or not text[:1].isalpha():
        return True
    return any(c.isdigit() for c in text) or any(c in text[1:] for c in ".@_")


def _label(tokens: list[Token], headless: bool = True) -> tuple[str, bool]:
    """(label, container) from the words before and after a head: a quoted span wins, then
    the words from the first name-like one (dropping "the account" in "the account @ana")."""
    tokens = [t for t in tokens if t.quoted or not t.text.islower() or t.low not in _FILLER_WORDS]
    quoted = [t for t in tokens if t.quoted]
    if quoted:
        return quoted[0].text, False
    low = " ".join(t.low for t in tokens)
    if low in lx.CONTAINERS:
        return "", True
    named = [n for n, t in enumerate(tokens) if namelike(t)]
    if named and named[0] > 0:
        tokens = tokens[named[0] :]
    while len(tokens) > 1 and tokens[-1].low in lx.EXPANDABLE | lx.CONTAINERS:
        tokens = tokens[:-1]
    single = len(tokens) == 1 and headless and tokens[0].text.islower()
    if single and tokens[0].low in _PLURAL_NOUNS:
        return _PLURAL_NOUNS[tokens[0].low], False
    if single and tokens[0].low in lx.EXPANDABLE and tokens[0].low.endswith("s"):
        return tokens[0].low.rstrip("s"), False
    return join(tokens).strip(" ,.:"), False


def _plural_noun(tokens: list[Token]) -> bool:
    words = [t.text for t in tokens if not t.quoted and t.low not in lx.ADJECTIVES]
    return (
        len(words) == 1
        and words[0].islower()
        and (words[0] in _PLURAL_NOUNS or (words[0] in lx.EXPANDABLE and words[0].endswith("s")))
    )


def _combine(old: str, new: str, old_word: Token) -> tuple[str, bool]:
    """The kind of two adjacent kind phrases ("password text field"), and whether the first
    one's words were a label instead ("the Text button")."""
    if not old:
        return new, False
    if old in ("password", "date_field") and new in ("text_field", "any"):
        return old, False
    if old_word.text[:1].isupper():
        return new, True
    return new, False


@dataclass
class _Head:
    """What the words before a noun phrase's modifiers said, gathered token by token."""

    ordinal: int | None = None
    plural: bool = False
    both: bool = False
    bare: bool = False
    kind: str = ""
    kind_word: Token | None = None
    head: str = ""
    field_label: str = ""
    container: bool = False
    label_words: list[Token] = field(default_factory=list)
    post_words: list[Token] = field(default_factory=list)

    def words(self) -> list[Token]:
        """The label words, those before the head noun first."""
        return self.label_words + self.post_words

    def add(self, tokens: Sequence[Token]) -> None:
        """Words of the label: before the head noun, or after it ("button Alpha")."""
        (self.post_words if self.kind or self.container else self.label_words).extend(tokens)


def parse_phrase(
    tokens: Sequence[Token], verb: str = "click", similarity: Similarity | None = None
) -> Phrase:
    """The target a noun phrase names; `verb` settles "box" (a checkbox for check/uncheck)."""
    tokens = (
        [t for t in tokens if t.low not in (",", ".", ":")] if len(tokens) > 1 else list(tokens)
    )
    if not tokens or (not tokens[0].quoted and " ".join(t.low for t in tokens) in lx.PRONOUNS):
        return Phrase(Target(), pronoun=True)
    state, i = _lead(tokens)
    if i < 0:
        return Phrase(Target(text=tokens[0].text))
    i = _scan_head(tokens, i, state)
    phrase = _looked(_finish(state, verb, similarity), tokens[:i], state, verb)
    return _owned(_modifiers(phrase, tokens[i:], verb, similarity))


def _looked(phrase: Phrase, head: list[Token], state: _Head, verb: str) -> Phrase:
    """`phrase` with the look its head words describe ("the small red box": a drawn box,
    not a text field); widgets keep their kind, and words that name none add no look."""
    kind = phrase.target.kind
    noun = state.head.split(" ")[0]
    drawn_box = kind == "text_field" and noun in figures.BOX_WORDS
    drawn_item = kind == "list_option" and figures.SHAPE_WORDS.get(noun.rstrip("s")) == "any"
    if (kind != "any" and not (drawn_box or drawn_item)) or verb not in _DRAWN_VERBS:
        return phrase
    look = figures.look_of(head, keep_any=verb == "drag" and phrase.target.ordinal is None)
    if look is None or (drawn_box and look.shape != "rectangle"):
        return phrase
    if drawn_box and not (look.colour or look.size) and verb != "drag":
        return phrase  # "click the left box" may be a field; "drag X into the left box" not
    if drawn_item and look.shape is None:
        look = replace(look, shape="any")
    target = replace(phrase.target, look=look, kind="any" if look.visual else kind)
    return replace(phrase, target=target)


_DRAWN_VERBS = frozenset({"click", "drag", "expand", "hover", "double_click", "right_click"})


_OWNED = re.compile(r"^(\S+?)['’]s(?:\s+(?:latest|last|newest|recent|new|first|top|own))*\s+(\w+)$")
# Things a person owns in a list of items: "Bob's latest tweet" is found by Bob's name.
_OWNED_NOUNS = frozenset((
    "post", "posts", "tweet", "tweets", "email", "emails", "message", "messages", "mail",
    "comment", "comments", "photo", "photos", "picture", "update", "status", "reply", "story",
    "video", "entry", "item", "row", "card", "profile", "account", "review", "answer",
))  # fmt: skip


def _owned(phrase: Phrase) -> Phrase:
    """ "Bob's latest tweet", "@kim's post": the item is found by its owner's name, so the
    target (or its anchor) becomes the name."""
    target = phrase.target
    anchor = target.anchor
    if anchor is not None:
        found = _OWNED.match(anchor.text)
        if found and found[2].lower() in _OWNED_NOUNS:
            anchor = replace(anchor, text=found[1])
            return replace(phrase, target=replace(target, anchor=anchor))
    found = _OWNED.match(target.text)
    if found and found[2].lower() in _OWNED_NOUNS and target.kind == "any":
        return replace(phrase, target=replace(target, text=found[1]))
    return phrase


def _lead(tokens: list[Token]) -> tuple[_Head, int]:
    """Quantifier, determiners and ordinal ("all the", "both", "the second"); -1 when the
    whole phrase is one word that only looks like a determiner ("a", "A")."""
    state, i, n = _Head(), 0, len(tokens)
    for table, value in ((lx.QUANTIFIERS_ALL, ALL), (lx.QUANTIFIERS_BOTH, None)):
        size = match(tokens, 0, table)[1]
        if size:
            i, state.ordinal, state.plural, state.both = size, value, True, value is None
            break
    quantified = i > 0
    while i < n and tokens[i].low in lx.DETERMINERS:
        i += 1
    state.bare = i == 0 and tokens[0].text[:1].isupper() and not tokens[0].quoted
    if (i == n and n == 1 and not quantified) or (state.bare and n == 1):
        return state, -1
    number, size = (None, 0) if match(tokens, i, lx.LABEL_COMPOUNDS)[1] else ordinal_at(tokens, i)
    if size:
        state.ordinal, state.plural, i = number, False, i + size
        if i + 1 < n and tokens[i].low == "of" and tokens[i + 1].low in lx.DETERMINERS:
            i += 2
    while i < n and tokens[i].low in lx.DETERMINERS:
        i += 1
    return state, i


def _scan_head(tokens: list[Token], i: int, state: _Head) -> int:
    """Read label words, container and kind nouns and a trailing number ("step #2") up to the
    first modifier; returns where the modifiers start."""
    n = len(tokens)
    while i < n:
        token = tokens[i]
        started = bool(state.kind or state.label_words or state.container)
        size = 1 if token.quoted else match(tokens, i, lx.LABEL_COMPOUNDS)[1]
        if size:
            state.add(tokens[i : i + size])
            i += size
            continue
        if started and (
            _modifier_at(tokens, i) or (i == n - 1 and token.low in lx.RELATION_PHRASES)
        ):
            break
        held, size = match(tokens, i, lx.CONTAINERS, 4)
        if size and not state.kind and size >= kind_at(tokens, i)[1]:
            state.container, state.head, i = True, held, i + size
            continue
        size = _take_kind(tokens, i, state)
        if size:
            i += size
            continue
        size = _take_number(tokens, i, state)
        if size:
            i += size
            continue
        if not (started and token.low in _STOP_AFTER_HEAD):
            state.add([token])
        i += 1
    return i


def _take_kind(tokens: list[Token], i: int, state: _Head) -> int:
    """Take a kind phrase at token i into `state` (merging "password text field"); its length."""
    found, size, is_plural, implied = kind_at(tokens, i)
    if not size:
        return 0
    phrase = " ".join(t.low for t in tokens[i : i + size])
    if state.bare and state.label_words and phrase not in _STRONG:
        return 0
    if state.kind and (state.post_words or tokens[i].text[:1].isupper()):
        return 0
    merged, was_label = _combine(state.kind, found, state.kind_word or tokens[i])
    if was_label and state.kind_word is not None:
        state.label_words.append(state.kind_word)
    state.kind, state.kind_word, state.head = merged, tokens[i], phrase
    state.plural = state.plural or (is_plural and state.ordinal is None)
    state.field_label = implied or state.field_label
    return size


def _take_number(tokens: list[Token], i: int, state: _Head) -> int:
    """Take the number after a kind noun ("step #2", "option number 3") as the ordinal."""
    if not state.kind or state.post_words:
        return 0
    token, n = tokens[i], len(tokens)
    number = _NUMBERED.match(token.text)
    if number and (token.text.startswith("#") or not token.text[:1].isupper()):
        state.ordinal, state.plural = int(number.group(1)), False
        return 1
    if token.low in ("number", "no.", "#", "num") and i + 1 < n:
        number = _NUMBERED.match(tokens[i + 1].text)
        value = int(number.group(1)) if number else lx.NUMBER_WORDS.get(tokens[i + 1].low)
        if value:
            state.ordinal, state.plural = value, False
            return 2
    if token.low in lx.NUMBER_WORDS and not token.text[:1].isupper():
        state.ordinal, state.plural = lx.NUMBER_WORDS[token.low], False
        return 1
    return 0


def _finish(state: _Head, verb: str, similarity: Similarity | None) -> Phrase:
    """The phrase the head words make: label, kind (widget names, "box" for check verbs, the
    embedder for unknown nouns), and "all" for a plural without an ordinal."""
    text, container = _label(state.words(), headless=not state.kind)
    container = container or state.container
    kind = state.kind
    text = text or state.field_label
    quoted_kind = any(t.quoted for t in state.label_words) and text.lower() in lx.KIND_PHRASES
    if kind == "any" and text.lower() in lx.WIDGET_TYPES:
        kind, text = lx.WIDGET_TYPES[text.lower()], ""
    elif kind == "any" and quoted_kind:
        kind, text = lx.KIND_PHRASES[text.lower()], ""
    if verb in ("check", "uncheck") and kind == "text_field" and state.head.startswith("box"):
        kind = "checkbox"
    if not kind and similarity is not None and text and not container and not state.bare:
        kind, text = _similar_kind(text, state.label_words, similarity)
    ordinal = state.ordinal
    plural = state.plural or (not kind and _plural_noun(state.label_words) and ordinal is None)
    if plural and ordinal is None and not state.both:
        ordinal = ALL
    descriptive = bool(text) and not any(namelike(t) for t in state.words())
    return Phrase(
        Target(text=text, kind=kind or "any", ordinal=ordinal),
        plural=plural,
        both=state.both,
        container=container,
        descriptive=descriptive,
    )


def _modifier_at(tokens: Sequence[Token], i: int) -> bool:
    """Whether a naming, relation or condition phrase starts at token i ("of" between two
    capitalised words is part of a name: "Place of Issue", "Terms of Service")."""
    if i + 1 >= len(tokens):
        return False
    if _name_joint(tokens, i):
        return False
    if match(tokens, i, lx.NAMING)[1] or match(tokens, i, lx.RELATIVE_CONDITIONS)[1]:
        return True
    return bool(match(tokens, i, lx.RELATION_PHRASES)[1])


def _name_joint(tokens: Sequence[Token], i: int) -> bool:
    """Whether token i is the "of" / "&" inside a capitalised name ("Place of Issue")."""
    if tokens[i].low not in ("of", "&") or not 0 < i < len(tokens) - 1:
        return False
    before, after = tokens[i - 1], tokens[i + 1]
    return (
        not (before.quoted or after.quoted)
        and before.text[:1].isupper()
        and after.text[:1].isupper()
    )


def _modifiers(
    phrase: Phrase, tokens: Sequence[Token], verb: str, similarity: Similarity | None
) -> Phrase:
    """Apply what follows the head: a name, a relative clause, or a relation to an anchor."""
    i, n = 0, len(tokens)
    while i < n:
        naming, size = match(tokens, i, lx.NAMING)
        if size:
            rest = tokens[i + size :]
            end = next((k for k in range(1, len(rest)) if _modifier_at(rest, k)), len(rest))
            name = rest[0].text if rest and rest[0].quoted else join(rest[:end]).strip(" ,.")
            target = replace(phrase.target, text=name)
            phrase = replace(phrase, target=target, named=True, descriptive=False)
            i += size + end
            continue
        relative, size = match(tokens, i, lx.RELATIVE_CONDITIONS)
        if size:
            return replace(phrase, condition=relative_condition(tokens[i:]))
        relation_word, size = match(tokens, i, lx.RELATION_PHRASES)
        if size and i + size < n and not _name_joint(tokens, i):
            anchor = parse_phrase(tokens[i + size :], verb, similarity)
            return _attach(phrase, relation_word, anchor)
        i += 1
    return phrase


def relative_condition(tokens: Sequence[Token]) -> str:
    """ "that begins with X and ending with Y" as "starts with X and ends with Y"."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        relative, size = match(tokens, i, lx.RELATIVE_CONDITIONS)
        if size:
            out.append(lx.RELATIVE_CONDITIONS[relative])
            i += size
            continue
        out.append(join([tokens[i]]))
        i += 1
    return " ".join(out).replace(" ,", ",").strip()


def _attach(phrase: Phrase, word: str, anchor: Phrase) -> Phrase:
    """`phrase` related to `anchor` by `word`; weak words ("for", "by") name the element
    when it has no name of its own, and unnamed containers drop out."""
    target = phrase.target
    if anchor.pronoun:
        return phrase
    own_name = bool(target.text) and not (target.kind == "any" and target.text.islower())
    if word in WEAK and not own_name and anchor.target.text and anchor.target.relation is None:
        named = replace(target, text=anchor.target.text, look=target.look or anchor.target.look)
        return replace(phrase, target=named, container=False, descriptive=anchor.descriptive)
    relation = lx.RELATION_PHRASES[word]
    loose = anchor.descriptive and anchor.target.kind == "any" and relation == "inside"
    if anchor.container or loose or (not anchor.target.text and anchor.target.kind == "any"):
        if anchor.named and not target.text:
            return replace(phrase, target=replace(target, text=anchor.target.text))
        return phrase
    placed = replace(target, relation=relation, anchor=anchor.target)
    return replace(phrase, target=placed, condition=phrase.condition or anchor.condition)


def _similar_kind(text: str, words: list[Token], similarity: Similarity) -> tuple[str, str]:
    """The kind an unknown head noun means by similarity, or ("", text) when none is close."""
    plain = [t for t in words if not t.quoted and t.text.isalpha() and t.text.islower()]
    if not plain or plain[-1] is not words[-1] or kind_at(words, len(words) - 1)[1]:
        return "", text
    phrases = sorted(lx.KIND_PHRASES)
    scores = list(similarity(plain[-1].text, phrases))
    best = max(range(len(phrases)), key=scores.__getitem__)
    if scores[best] < KIND_THRESHOLD:
        return "", text
    rest, _ = _label(words[:-1])
    return lx.KIND_PHRASES[phrases[best]], rest
