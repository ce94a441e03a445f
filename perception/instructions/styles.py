"""Text formatting in an editor as one step: "give the text X the style bold", "make everything
the color blue", "italicize X", "underline the word X", "colour X red", "apply bold to all the
text". The step clicks the text (`Target(kind="text")`: the words named, or every word for
"everything") with manner "format" and `value` the style ("bold", "italic", "underline") or a
colour word ("red"). A clause naming only the editor ("using the text editor") adds no step.
"""

from __future__ import annotations

import re

from perception.instructions.plan import ALL, Step, Target
from perception.instructions.tokens import Token, join

_STYLES = {
    "bold": "bold", "bolded": "bold", "boldface": "bold", "strong": "bold", "embolden": "bold",
    "italic": "italic", "italics": "italic", "italicized": "italic", "italicised": "italic",
    "italicize": "italic", "italicise": "italic", "underline": "underline",
    "underlined": "underline",
}  # fmt: skip
_STYLE = "|".join(sorted(_STYLES, key=len, reverse=True))
_COLOUR = r"colou?r(?:ed)?"
_HUES = (
    r"(?P<colour>red|orange|yellow|green|blue|purple|violet|pink|black|white|gr[ae]y|brown|cyan|"
    r"magenta|teal|navy|maroon|olive|lime|gold|silver|indigo)"
)
_EVERYTHING = re.compile(
    r"^(?:everything|all(?: of)?(?: the)?(?: text| words)?|the (?:whole|entire) text|"
    r"all text|the text)$"
)
_OBJECT = r"(?P<obj>\"[^\"]+\"|.+?)"
_VERBS = "bold|embolden|italicize|italicise|underline"  # styles said as verbs
_LEAD = r"^(?:please |now |also )?"
_PATTERNS = [
    # "give X the style bold", "give X the color red", "give X a bold style"
    rf"\bgive {_OBJECT} (?:the |a )?(?:(?:font |text )?(?:style|format(?:ting)?) )?"
    rf"(?P<style>{_STYLE})\b",
    rf"\bgive {_OBJECT} (?:the |a )?{_COLOUR} {_HUES}\b",
    # "make X the color red", "make X bold"
    rf"\b(?:make|turn) {_OBJECT} (?:the |a )?(?:{_COLOUR} )?{_HUES}\b",
    rf"\b(?:make|turn) {_OBJECT} (?P<style>{_STYLE})\b",
    # "italicize X", "underline the word X", "bold X"
    rf"{_LEAD}(?P<style>{_VERBS}) {_OBJECT}(?: in the (?:text )?editor)?$",
    # "colour X red", "colour X in red"
    rf"{_LEAD}colou?r {_OBJECT} (?:in )?{_HUES}$",
    # "apply bold to X", "apply the bold style to X", "format X as bold"
    rf"{_LEAD}(?:apply|use|add) (?:the |a )?(?P<style>{_STYLE})(?: style| formatting)? "
    rf"(?:to|on) {_OBJECT}$",
    rf"{_LEAD}format {_OBJECT} (?:as|in|with) (?P<style>{_STYLE})\b",
]
_COMPILED = [re.compile(p) for p in _PATTERNS]
_EDITOR = ("text_area", "text_field")


_SEND = re.compile(
    r"(?:,\s*|\s+)(?:and\s+|then\s+|and then\s+)?(?:press|click|hit|submit|tap|save)\b.*$", re.I
)


def format_step(text: str) -> tuple[Step, str] | None:
    """The formatting step one clause asks for and the words that asked for it, or None when
    it formats nothing."""
    said = _SEND.sub("", " ".join(text.strip().split())).rstrip(".!")
    low = said.lower()
    for pattern in _COMPILED:
        m = pattern.search(low)
        if m is None:
            continue
        obj = said[m.start("obj") : m.end("obj")].strip(" ,")
        obj = re.sub(r"^(?:the |a )?(?:text|word|words|phrase) ", "", obj, flags=re.I).strip()
        style = m.groupdict().get("style")
        value = _STYLES[style] if style else m.group("colour")
        if _EVERYTHING.match(obj.lower()) or not obj:
            target = Target(kind="text", ordinal=ALL)
        else:
            target = Target(text=obj.strip('"'), kind="text")
        return Step("click", target, value=value, manner="format"), m.group(0)
    return None


def read_styles(tokens: list[Token], steps: list[Step]) -> list[Step]:
    """`steps` with the instruction's formatting clause as one format step in place of the
    steps the clause made, and without a click on the bare editor it is done in."""
    said = join(tokens)
    pieces = re.split(r",|;|\.\s|\bthen\b", said)
    for clause in [said, *pieces]:  # whole first: a word named may end in "," or "."
        found = format_step(clause)
        if found is not None:
            break
    else:
        return steps
    step, asked = found
    words = set(re.findall(r"[a-z]+", asked.lower()))
    out: list[Step] = []
    placed = False
    for s in steps:
        text = s.target.text.lower() if s.target is not None else ""
        if s.target is not None and text and set(re.findall(r"[a-z]+", text)) <= words:
            if not placed:
                out.append(step)
                placed = True
            continue  # a step the formatting clause made
        bare = s.target is not None and not s.target.text and s.target.ordinal is None
        if s.verb == "click" and bare and s.target.kind in _EDITOR:
            continue  # "using the text editor": the editor the format is done in
        out.append(s)
    if not placed:
        sends = bool(out) and out[-1].verb in ("click", "submit") and out[-1] is steps[-1]
        out.insert(len(out) - 1 if sends else len(out), step)
    return out
