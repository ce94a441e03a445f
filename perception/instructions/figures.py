"""Words about drawn things and about how a step is done, read into plan fields: a target's
look ("the small red box"), a question answered by clicking a button ("how many blue items are
there?", "how many sides", "the button that describes the figure"), a manner ("in ascending
order", "a vertical line through X", "halfway between", "highlight the text", "resize ... wider")
and a number set on a slider or spinner ("select 8 with the spinner")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perception.instructions import lexicon as lx
from perception.instructions.plan import ALL, Look, Step, Target
from perception.instructions.tokens import Token

# Everyday colour names and the CSS named colours (https://www.w3.org/TR/css-color-4/).
COLOURS = frozenset({
    "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black",
    "blanchedalmond", "blue", "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse",
    "chocolate", "coral", "cornflowerblue", "cornsilk", "crimson", "cyan", "darkblue", "darkcyan",
    "darkgoldenrod", "darkgray", "darkgreen", "darkgrey", "darkkhaki", "darkmagenta",
    "darkolivegreen", "darkorange", "darkorchid", "darkred", "darksalmon", "darkseagreen",
    "darkslateblue", "darkslategray", "darkslategrey", "darkturquoise", "darkviolet", "deeppink",
    "deepskyblue", "dimgray", "dimgrey", "dodgerblue", "firebrick", "floralwhite", "forestgreen",
    "fuchsia", "gainsboro", "ghostwhite", "gold", "goldenrod", "gray", "green", "greenyellow",
    "grey", "honeydew", "hotpink", "indianred", "indigo", "ivory", "khaki", "lavender",
    "lavenderblush", "lawngreen", "lemonchiffon", "lightblue", "lightcoral", "lightcyan",
    "lightgoldenrodyellow", "lightgray", "lightgreen", "lightgrey", "lightpink", "lightsalmon",
    "lightseagreen", "lightskyblue", "lightslategray", "lightslategrey", "lightsteelblue",
    "lightyellow", "lime", "limegreen", "linen", "magenta", "maroon", "mediumaquamarine",
    "mediumblue", "mediumorchid", "mediumpurple", "mediumseagreen", "mediumslateblue",
    "mediumspringgreen", "mediumturquoise", "mediumvioletred", "midnightblue", "mintcream",
    "mistyrose", "moccasin", "navajowhite", "navy", "oldlace", "olive", "olivedrab", "orange",
    "orangered", "orchid", "palegoldenrod", "palegreen", "paleturquoise", "palevioletred",
    "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue", "purple", "rebeccapurple",
    "red", "rosybrown", "royalblue", "saddlebrown", "salmon", "sandybrown", "seagreen", "seashell",
    "sienna", "silver", "skyblue", "slateblue", "slategray", "slategrey", "snow", "springgreen",
    "steelblue", "tan", "teal", "thistle", "tomato", "turquoise", "violet", "wheat", "white",
    "whitesmoke", "yellow", "yellowgreen",
})  # fmt: skip
COLOUR_SYNONYMS = {"gray": "grey", "aqua": "cyan", "fuchsia": "magenta"}
SIZE_WORDS = {
    "large": "large", "big": "large", "larger": "larger", "bigger": "larger", "largest": "larger",
    "biggest": "larger", "small": "small", "little": "small", "tiny": "small",
    "smaller": "smaller", "smallest": "smaller",
}  # fmt: skip
SHAPE_WORDS = {
    "circle": "circle", "ring": "circle", "dot": "circle", "point": "circle", "disc": "circle",
    "disk": "circle", "pie": "circle", "wheel": "circle", "ball": "circle", "round": "circle",
    "oval": "circle", "rectangle": "rectangle", "square": "rectangle", "box": "rectangle",
    "triangle": "triangle", "polygon": "polygon", "pentagon": "polygon", "hexagon": "polygon",
    "shape": "shape", "figure": "shape", "letter": "letter", "character": "any_glyph",
    "digit": "digit", "number": "digit", "numeral": "digit", "item": "any", "object": "any",
    "thing": "any",
}  # fmt: skip
BOX_WORDS = frozenset({"box", "boxes", "square", "squares"})  # also a text field's name
PLACE_WORDS = {
    "left": "left", "leftmost": "left", "right": "right", "rightmost": "right", "top": "top",
    "topmost": "top", "upper": "top", "bottom": "bottom", "lower": "bottom",
}  # fmt: skip
SIDE_WORDS = frozenset({"side", "sides", "corner", "corners", "edge", "edges", "vertices",
                        "angle", "angles"})  # fmt: skip
_QUESTION_END = frozenset({"are", "is", "do", "does", "can", "in", "on", "there", "?", "."})
_NAMING = frozenset({"describes", "describe", "names", "name", "identify", "identifies", "what",
                     "which"})  # fmt: skip
_FIGURE = frozenset({"figure", "shape", "picture", "image", "drawing", "symbol"})
_UP = frozenset({"ascending", "increasing"})
_DOWN = frozenset({"descending", "decreasing"})
_LEAST = frozenset({"smallest", "lowest", "least"})
_MOST = frozenset({"largest", "highest", "biggest", "greatest"})
_SORT = frozenset({"sort", "arrange", "rearrange", "reorder"})
_DRAW = frozenset({"draw", "make", "create"})
_LINES = frozenset({"vertical", "horizontal", "diagonal"})
_THROUGH = frozenset({"through", "across", "over"})
_MOVING = frozenset({"moving", "flying", "sliding", "drifting", "floating", "bouncing"})
_CENTRED = frozenset({"centered", "centred", "around", "round", "about", "encircling"})
_SHOWN = frozenset({"displayed", "shown", "highlighted", "flashed", "lit", "played", "presented",
                    "demonstrated", "given"})  # fmt: skip
_MIDDLE = frozenset({"midpoint", "mid-point", "middle", "halfway", "half-way"})
_HIGHLIGHT = frozenset({"highlight", "select", "mark"})
_RESIZE = {
    ("width", True): "wider", ("width", False): "narrower", ("height", True): "taller",
    ("height", False): "shorter", ("size", True): "larger", ("size", False): "smaller",
}  # fmt: skip
_GROW = frozenset({"larger", "bigger", "wider", "taller"})
_SHRINK = frozenset({"smaller", "narrower", "shorter"})
_SET = frozenset({"select", "set", "choose", "pick", "enter", "put", "move", "drag"})
_MOVE = frozenset({"move", "drag"})  # "drag the slider to 25" stays a drag
_WITH = frozenset({"with", "on", "using", "in", "into", "via"})
_SETTING = ("click", "select", "drag", "type")
NUMBER_CONTROLS = {
    "spinner": "spinner", "stepper": "spinner", "number field": "spinner",
    "number box": "spinner", "number input": "spinner", "spin box": "spinner",
    "slider": "slider", "range": "slider", "range slider": "slider", "scale": "slider",
}  # fmt: skip
REST = ("everything else", "anything else", "the rest", "all others", "all the others",
        "all other items", "the others")  # fmt: skip


def colour_word(word: str) -> str | None:
    """The colour a word names ("grey", "black-colored" -> "black"), or None."""
    low = word.lower().removesuffix("-colored").removesuffix("-coloured")
    low = COLOUR_SYNONYMS.get(low, low)
    return low if low in COLOURS else None


def shape_word(low: str) -> str | None:
    """The shape a noun names ("circles" -> "circle", "boxes" -> "rectangle"), or None."""
    if low in SHAPE_WORDS:
        return SHAPE_WORDS[low]
    if low.endswith("es") and low[:-2] in SHAPE_WORDS and low[:-2] == "box":
        return SHAPE_WORDS[low[:-2]]
    return SHAPE_WORDS.get(low[:-1]) if low.endswith("s") else None


def _glyph(token: Token) -> str | None:
    """The letter or digit a word stands for: quoted ('"U"', '"Us"'), or a lone one ("X", "8s")."""
    text = token.text.strip()
    if token.quoted:
        if len(text) == 1 and text.isalnum():
            return text
        return text[0] if len(text) == 2 and text[1] == "s" and text[0].isalnum() else None
    if len(text) == 1 and text.isalnum() and text not in ("a", "A", "I"):
        return text
    if len(text) == 2 and text[1] == "s" and (text[0].isupper() or text[0].isdigit()):
        return text[0]
    return None


def look_of(tokens: Sequence[Token], keep_any: bool = False) -> Look | None:
    """What a phrase's words say a drawn thing looks like, or None when they name no colour,
    size, shape or glyph; `keep_any`: "the item" alone is a look too (a thing drawn)."""
    size = colour = shape = char = place = None
    box = False
    for k, token in enumerate(tokens):
        low = token.low
        if token.quoted:
            char = char or _glyph(token)
            continue
        if low in PLACE_WORDS and place is None:
            place = PLACE_WORDS[low]
        elif low in SIZE_WORDS and size is None:
            size = SIZE_WORDS[low]
        elif (found := colour_word(low)) is not None and colour is None:
            colour = found
        elif (found := shape_word(low)) is not None and shape is None:
            if k == 0 or _describes(tokens[k - 1]):  # not "order number", "menu item"
                shape, box = found, low in BOX_WORDS
        elif char is None and shape is None and (found := _glyph(token)) is not None:
            char = found
    if box and not (colour or size or place):
        shape = None  # "the box" alone is a text field
    look = Look(size, colour, shape, char, place if (colour or size or shape or char) else None)
    if look.visual or (keep_any and shape == "any"):
        return look
    return None


def _describes(token: Token) -> bool:
    """Whether a word before a shape noun leaves it a drawing ("the red", "two", "colored"),
    not a compound with another noun ("order number", "list item")."""
    low = token.low
    return (
        token.quoted
        or low in SIZE_WORDS
        or low in PLACE_WORDS
        or colour_word(low) is not None
        or low in lx.DETERMINERS
        or low in lx.NUMBER_WORDS
        or low in lx.ORDINALS
        or low in lx.QUANTIFIERS_ALL
        or low.isdigit()
        or low in ("colored", "coloured", "of", "other", "drawn", "shaded", "filled", "empty")
    )


def read_figures(tokens: list[Token], steps: list[Step]) -> list[Step]:
    """The steps of one sentence with what its words say about drawings and manners."""
    low = ["" if t.quoted else t.low for t in tokens]
    steps = _question(tokens, low, steps)
    steps = _number(tokens, low, steps)
    manner = _order(low) or _resize(low)
    if manner is not None:
        steps = _on_first(steps, lambda s: replace(s, manner=manner))
    if any(w in _HIGHLIGHT for w in low) and "text" in low:
        steps = [
            replace(s, manner="highlight") if s.target and s.target.kind == "text" else s
            for s in steps
        ]
    steps = _line(tokens, low, steps)
    steps = _circle(tokens, low, steps)
    steps = _moving(tokens, low, steps)
    return _midpoint(tokens, low, steps)


def _on_first(steps: list[Step], change: object, verbs: tuple[str, ...] = ("click",)) -> list[Step]:
    """`steps` with `change` applied to the first step of one of `verbs`."""
    for k, s in enumerate(steps):
        if s.verb in verbs:
            return [*steps[:k], change(s), *steps[k + 1 :]]  # type: ignore[operator]
    return steps


def _replace_first(
    steps: list[Step], new: Step, verbs: tuple[str, ...] = ("click", "select")
) -> list[Step]:
    """`steps` with their first step of one of `verbs` replaced by `new` (or `new` put first)."""
    for k, s in enumerate(steps):
        if s.verb in verbs:
            return [*steps[:k], new, *steps[k + 1 :]]
    return [new, *steps]


def _question(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """ "how many X are there" / "how many sides" / "the button that describes the figure"."""
    button = Target(kind="button")  # the one whose label answers
    for k in range(len(low) - 1):
        if low[k] == "how" and low[k + 1] == "many":
            end = next((j for j in range(k + 2, len(low)) if low[j] in _QUESTION_END), len(low))
            words = tokens[k + 2 : end]
            if any(t.low in SIDE_WORDS for t in words):
                about = Target(look=Look(shape="shape"))
                return _replace_first(steps, Step("click", button, question="sides", about=about))
            look, letter = look_of(words, keep_any=True), _plural_letter(words)
            if letter is not None and (look is None or look.char is None):
                look = replace(look or Look(), char=letter)
            if look is None:
                return steps
            about = Target(ordinal=0, look=look)
            return _replace_first(steps, Step("click", button, question="count", about=about))
    naming = next((k for k, w in enumerate(low) if w in _NAMING), -1)
    if naming >= 0 and any(w in _FIGURE for w in low[naming + 1 :]) and "button" in low:
        about = Target(look=Look(shape="shape"))
        return _replace_first(steps, Step("click", button, question="category", about=about))
    return steps


def _plural_letter(words: list[Token]) -> str | None:
    """ "how many bs": the lower-case letter a counted plural names, or None."""
    last = words[-1].text if words and not words[-1].quoted else ""
    return last[0] if len(last) == 2 and last[1] == "s" and last[0].isalpha() else None


def _number(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """ "select 8 with the spinner", "set the slider to 24": a select of that number."""
    for k, w in enumerate(low):
        if w not in _SET:
            continue
        i = k + 1 + (k + 1 < len(low) and low[k + 1] == "the")
        if i < len(low) and _signed(tokens[i].text) is not None:
            j = i + 1
            if j < len(low) and low[j] in _WITH:
                j += 1 + (j + 1 < len(low) and low[j + 1] == "the")
                kind = _control(low, j)
                if kind is not None:
                    step = Step("select", Target(kind=kind), value=tokens[i].text)
                    return _replace_first(steps, step, _SETTING)
        kind = _control(low, i)
        size = 2 if kind is not None and " " in _control_words(low, i) else 1
        at = i + size
        if kind is not None and at + 1 < len(low) and low[at] == "to" and w not in _MOVE:
            value = tokens[at + 1].text
            if _signed(value) is not None:
                step = Step("select", Target(kind=kind), value=value)
                return _replace_first(steps, step, _SETTING)
    return steps


def _signed(text: str) -> int | None:
    t = text.replace("\u2212", "-")
    return int(t) if t.lstrip("-").isdigit() and t.count("-") <= 1 else None


def _control_words(low: list[str], i: int) -> str:
    two = " ".join(low[i : i + 2])
    return two if two in NUMBER_CONTROLS else (low[i] if i < len(low) else "")


def _control(low: list[str], i: int) -> str | None:
    """The kind ("slider", "spinner") a control noun at word i names, or None."""
    return NUMBER_CONTROLS.get(_control_words(low, i))


def _order(low: list[str]) -> str | None:
    """ "in ascending order", "from the smallest to the largest": numbers clicked in order (a
    sort is a list to drag, not an order to click in); "in the order displayed", "in the same
    order as they light up": the page shows the order, the step repeats it ("shown")."""
    if any(w in _SORT for w in low):
        return None
    at = low.index("order") if "order" in low else -1
    if at > 0 and (low[at - 1] == "same" or any(w in _SHOWN for w in low[at + 1 : at + 5])):
        return "shown"
    for k, w in enumerate(low[:-1]):
        if low[k + 1] == "order" and w in _UP | _DOWN:
            return "ascending" if w in _UP else "descending"
        if w == "from":
            j = k + 1 + (low[k + 1] == "the")
            if j < len(low) and low[j] in _LEAST | _MOST and "to" in low[j + 1 : j + 4]:
                return "ascending" if low[j] in _LEAST else "descending"
    return None


def _resize(low: list[str]) -> str | None:
    """ "resize the text area so its width is larger": which way its grip is dragged."""
    if "resize" not in low:
        return None
    at = low.index("resize")
    dim = next((w for w in low[at:] if w in ("width", "height", "size")), None)
    if dim is None:
        return None
    way = next((w for w in low[low.index(dim, at) :] if w in _GROW | _SHRINK), None)
    return None if way is None else _RESIZE[(dim, way in _GROW)]


def _until_break(tokens: list[Token], start: int) -> list[Token]:
    """The words from `start` to the next comma, "then" or "and"."""
    out = []
    for t in tokens[start:]:
        if not t.quoted and t.low in (",", ".", ";", "then", "and"):
            break
        out.append(t)
    return out


def _line(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """ "draw a vertical line through the blue circle": a drag through what it names."""
    for k, w in enumerate(low[:-3]):
        if w not in _DRAW or low[k + 1] not in ("a", "an") or low[k + 2] not in _LINES:
            continue
        if low[k + 3] != "line":
            continue
        at = next((j for j in range(k + 4, len(low)) if low[j] in _THROUGH), -1)
        if at < 0:
            return steps
        words = _until_break(tokens, at + 1)
        look = look_of(words) or Look(shape="any")
        new = Step("drag", Target(look=look), manner=low[k + 2])  # type: ignore[arg-type]
        return _replace_first(steps, new)
    return steps


def _circle(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """ "draw a circle centered at the dot", "draw a circle around the red square": a drag
    around what it names ("circle")."""
    for k, w in enumerate(low[:-3]):
        if w not in _DRAW or low[k + 1] not in ("a", "an") or low[k + 2] != "circle":
            continue
        at = next((j for j in range(k + 3, min(k + 6, len(low))) if low[j] in _CENTRED), -1)
        if at < 0:
            return steps
        start = at + 1 + (at + 1 < len(low) and low[at + 1] in ("at", "on", "in", "over"))
        look = look_of(_until_break(tokens, start)) or Look(shape="any")
        steps = [s for s in steps if not _drags_pointer(s)]  # "by dragging the mouse": how
        return _replace_first(steps, Step("drag", Target(look=look), manner="circle"))
    return steps


def _moving(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """ "click as many moving circles as possible", "click the moving items": every such thing,
    each clicked where it is going to be ("moving")."""
    at = next((k for k, w in enumerate(low) if w in _MOVING), -1)
    if at < 0 or not steps or steps[0].verb != "click":
        return steps
    words = _until_break(tokens, at + 1)
    look = look_of(words, keep_any=True) or Look(shape="any")
    every = any(w in ("all", "every", "each", "many") for w in low) or (
        bool(words) and words[0].low.endswith("s") and not words[0].low.endswith("ss")
    )
    target = Target(ordinal=ALL if every else None, look=look)
    return _on_first(steps, lambda s: replace(s, target=target, manner="moving"))


def _drags_pointer(step: Step) -> bool:
    """Whether a step drags the pointer itself ("by dragging the mouse"): how, not what."""
    text = step.target.text.lower() if step.target is not None else ""
    return step.verb == "drag" and text in ("mouse", "cursor", "pointer", "the mouse")


def _midpoint(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """ "click the midpoint between the two dots": halfway between what follows "between"."""
    middle = next((k for k, w in enumerate(low) if w in _MIDDLE), -1)
    if middle < 0 or "between" not in low[middle:]:
        return steps
    words = _until_break(tokens, low.index("between", middle) + 1)
    look = look_of(words) or Look(shape="any")
    return _on_first(steps, lambda s: replace(s, target=Target(look=look), manner="midpoint"))


def rest_at(words: Sequence[Token]) -> tuple[int, int]:
    """(index, length) of "and everything else" / ", the rest" in a drag's words, or (-1, 0)."""
    for k in range(1, len(words)):
        if words[k].low not in ("and", ","):
            continue
        for phrase in REST:
            size = len(phrase.split())
            if " ".join(t.low for t in words[k + 1 : k + 1 + size]) == phrase:
                return k, size + 1
    return -1, 0
