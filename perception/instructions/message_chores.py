"""Chores on a message named by the person it is from, in the many ways people word them:
pass it on to someone ("send Ana the mail Bo wrote", "Bo's email should go to Ana"), answer
it with quoted words, delete it, or mark it (star, important, flag).

The grammar reads one verb frame a clause; people word these chores with the roles spread over
the sentence ("Ana wants the email you got from Bo"). Here the sentence is read by roles
instead: names are capitalised words that are not ordinary words, the sender is the name a
"from"/"by"/possessive/"... sent" marks, the recipient the one after "to", after the giving
verb, or before "wants"/"is waiting"; the chore is what the sentence's words ask for. The plan
is the one a mail client needs: open the sender's message, press the chore's control, fill the
new view's field, send. A sentence that is no such chore gives None and the grammar reads it.
"""

from __future__ import annotations

import difflib
import re

from perception.instructions.plan import Step, Target
from perception.instructions.tokens import Token, tokenize

# Words that name a message (the chore's object); "info" as in "send Ana the info from Bo".
MESSAGE_NOUNS = frozenset((
    "email", "emails", "e-mail", "e-mails", "mail", "mails", "message", "messages", "letter",
    "information", "info", "note", "inbox", "mailbox",
))  # fmt: skip
# Verbs that pass a message on to someone.
PASSING = frozenset((
    "forward", "forwarded", "forwarding", "foward", "fwd", "send", "sent", "give", "resend",
    "pass", "share", "copy", "email", "e-mail", "mail", "receive", "recieve", "wants", "want",
    "waiting", "get",
))  # fmt: skip
# Words that ask for the quoted words to go back as an answer.
ANSWERING = frozenset((
    "reply", "replay", "replying", "reply", "respond", "responded", "response", "answer",
    "tell", "say", "said", "write", "text", "email", "e-mail", "send", "know", "back", "hi",
    "hello", "thanks", "message",
))  # fmt: skip
DELETING = frozenset((
    "delete", "deleted", "deleting", "remove", "removed", "trash", "discard", "erase", "bin",
    "rid", "garbage", "throw",
))  # fmt: skip
MARKING = frozenset((
    "important", "importance", "star", "starred", "flag", "flagged",
    "favorite", "favourite",
))  # fmt: skip
# The chore's own word names its control when it is one ("trash it": the trash icon).
DELETE_CONTROLS = ("delete", "trash", "remove", "discard", "erase", "bin")
MARK_CONTROLS = ("important", "star", "favorite", "favourite")
MOVING = frozenset(("move", "drag", "drop"))
# A name is marked as the sender by the word before it, or by the word after it.
SENDER_BEFORE = frozenset(("from", "by", "of", "author"))
SENDER_AFTER = frozenset(("sent", "wrote", "sends", "emailed", "mailed", "email", "e-mail",
                          "mail", "message", "messages", "emails"))  # fmt: skip
# ... as the recipient by the word before it, or after it ("Ana wants the email").
RECIPIENT_BEFORE = frozenset(("to", "let", "for"))
INTO = frozenset(("to", "in", "into"))  # "... in Ana's inbox": Ana receives it
RECIPIENT_AFTER = frozenset(("wants", "is", "must", "should", "needs", "receive", "recieve"))
# Words a sentence may start with capitalised that are not names.
_ORDINARY = frozenset((
    "a", "an", "the", "and", "or", "then", "please", "can", "could", "would", "will", "you", "i",
    "i'd", "i'll", "i'm", "me", "my", "it", "is", "there", "this", "that", "in", "on", "at",
    "to", "for", "from", "by", "of", "with", "go", "find", "locate", "look", "search", "open",
    "pull", "get", "give", "mark", "tag", "set", "make", "put", "select", "navigate", "create",
    "write", "change", "ask", "let", "automatically", "simply", "just", "first", "remind",
    "retrieve", "check", "use", "help", "show", "hey", "ok", "okay", "now", "also", "yes", "no",
    "do", "don't", "we", "he", "she", "they", "his", "her", "their", "our", "your", "primary",
    "important", "new", "latest", "last", "recent", "today", "yesterday", "siri", "label", "so",
    "if", "when", "what", "where", "who", "all", "any", "some", "each", "every", "one", "need",
    "want", "like", "must", "should", "hunt", "grab", "bring", "take", "keep", "save", "send",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
))  # fmt: skip
# After a sentence's first word, these say it is a person ("Ana wants ...", "Ana, I will").
_PERSON_NEXT = frozenset((",", "wants", "is", "must", "should", "needs", "sent", "wrote"))
_UNWANTED = re.compile(r"\b(?:don't|do not|doesn't|does not) (?:want|need)\b")
# Words about controls: a sentence that names them says how to act, and the grammar reads it.
CONTROL_WORDS = frozenset((
    "button", "buttons", "field", "fields", "box", "boxes", "link", "tab", "icon", "icons",
    "checkbox", "input", "textbox", "form", "click", "press", "type", "enter", "tap", "menu",
))  # fmt: skip
_POSSESSIVE = re.compile(r"^(.+?)(?:'s|s')$")
_NAME = re.compile(r"^[A-Z][A-Za-z\-]*$")


def read_message_chore(text: str) -> list[Step] | None:
    """The steps of a chore on a sender's message that `text` asks for, or None when `text` is
    not one (no message word or chore, or its people cannot be told apart)."""
    tokens = tokenize(text)
    words = [t.low for t in tokens]
    plain = set(words)
    quoted = [t.text.strip() for t in tokens if t.quoted and t.text.strip()]
    names = _names(tokens)
    if not names or plain & CONTROL_WORDS:
        return None
    people = list(dict.fromkeys(name for name, _ in names))
    messaged = bool(plain & MESSAGE_NOUNS)
    if quoted and (plain & ANSWERING or messaged) and len(people) == 1:
        return _reply(people[0], quoted[0])
    if quoted:
        return None
    deleting = bool(plain & DELETING) or bool(_UNWANTED.search(text.lower()))
    if plain & MOVING:
        return None  # "move it to the trash": a drag the grammar reads
    if deleting and messaged and len(people) == 1:
        said = [w[:-1] if w.endswith("ed") else w for w in words]
        return _act_near(people[0], next((w for w in said if w in DELETE_CONTROLS), "delete"))
    if _marks(words) and messaged and len(people) == 1:
        return _act_near(people[0], next((w for w in words if w in MARK_CONTROLS), "important"))
    if messaged and plain & PASSING and len(people) == 2:
        sender, recipient = _roles(tokens, names)
        if sender is not None and recipient is not None:
            return _forward(sender, recipient)
    return None


def _marks(words: list[str]) -> bool:
    """Whether the words ask to mark the message (a misspelt "important" too: "importnat")."""
    return any(w in MARKING or (len(w) >= 7 and _alike(w, "important")) for w in words)


def _alike(word: str, other: str) -> bool:
    return difflib.SequenceMatcher(None, word, other).ratio() > 0.8


def _names(tokens: list[Token]) -> list[tuple[str, int]]:
    """(name, token index) of every word that reads as a person's name: capitalised, not a
    quoted span, and not an ordinary word. A sentence's first word is capitalised anyway: it
    is a name only when possessive or followed by what a person does ("Ana wants")."""
    out = []
    for i, t in enumerate(tokens):
        if t.quoted:
            continue
        first = i == 0 or tokens[i - 1].low in (".", "!", "?", ";")
        after = tokens[i + 1].low if i + 1 < len(tokens) else ""
        if first and not _POSSESSIVE.match(t.text) and after not in _PERSON_NEXT:
            continue
        core = _POSSESSIVE.sub(r"\1", t.text)
        low = core.lower()
        if not _NAME.match(core) or low in _ORDINARY or low in MESSAGE_NOUNS:
            continue
        if low in PASSING | ANSWERING | DELETING | MARKING:
            continue
        out.append((core, i))
    return out


def _roles(tokens: list[Token], names: list[tuple[str, int]]) -> tuple[str | None, str | None]:
    """(sender, recipient) of two named people, by the words around each mention."""
    lean: dict[str, float] = {}  # > 0: the sender, < 0: the recipient
    for name, i in names:
        before = tokens[i - 1].low if i > 0 else ""
        after = tokens[i + 1].low if i + 1 < len(tokens) else ""
        possessive = bool(_POSSESSIVE.match(tokens[i].text)) and tokens[i].text != name
        score = 0.0
        if before in SENDER_BEFORE:
            score += 3
        if before in RECIPIENT_BEFORE or (possessive and before in INTO):
            score -= 3 if not possessive else 2  # "to Ana" / "in Ana's inbox": Ana receives
        elif possessive:
            score += 2  # "Bo's email"
        if after in SENDER_AFTER and not possessive:
            score += 2  # "the email Bo sent", "the Bo email"
        if after in RECIPIENT_AFTER:
            score -= 1  # "Ana wants the email ...", "Ana is waiting for ..."
        if before in PASSING and not possessive and after not in SENDER_AFTER:
            score -= 2  # "send Ana the email": the one given to
        lean[name] = lean.get(name, 0.0) + score
    (a, sa), (b, sb) = list(lean.items())
    if sa == sb:
        return None, None
    return (a, b) if sa > sb else (b, a)


def _open(name: str) -> Step:
    return Step("click", Target(text=name))


def _reply(name: str, message: str) -> list[Step]:
    """Open the sender's message, press reply, type the words in the body, send."""
    return [
        _open(name),
        Step("click", Target(text="reply")),
        Step("type", Target(kind="text_area"), value=message),
        Step("click", Target(text="send")),
    ]


def _forward(sender: str, recipient: str) -> list[Step]:
    """Open the sender's message, press forward, type the recipient in "To", send."""
    return [
        _open(sender),
        Step("click", Target(text="forward")),
        Step("type", Target(text="to", kind="text_field"), value=recipient),
        Step("click", Target(text="send")),
    ]


def _act_near(name: str, control: str) -> list[Step]:
    """Press the control (an icon) that does the chore on the sender's message, by its name
    (on the message's row in a list, or in the message once opened)."""
    return [Step("click", Target(text=control, relation="near", anchor=Target(text=name)))]
