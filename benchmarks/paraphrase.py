"""Reworded instructions for the benchmark tasks: the slots of a page's own instruction are read
with one regex per task wording (test data, so it lives here and not in the library) and filled
into the templates of `data/paraphrases.json`.

    from benchmarks.paraphrase import reword
    reword("click-link", 'Click on the link "amet.".', 0)  # 'Follow the "amet." link.'
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "data" / "paraphrases.json"

# Each task's own wordings; a named group is a slot the templates may use.
FORMS: dict[str, dict[str, str]] = {
    "click-button": {"main": r'Click on the "(?P<label>.+)" button\.'},
    "click-link": {"main": r'Click on the link "(?P<label>.+)"\.'},
    "click-dialog": {"main": r'Close the dialog box by clicking the "(?P<label>.+)"\.'},
    "click-dialog-2": {"main": r'Click the button in the dialog box labeled "(?P<label>.+)"\.'},
    "click-tab": {"main": r"Click on Tab #(?P<n>\d+)\."},
    "click-tab-2": {
        "main": r'Switch between the tabs to find and click on the link "(?P<label>.+)"\.'
    },
    "click-checkboxes": {"main": r"Select (?P<items>.+) and click Submit\."},
    "click-option": {"main": r"Select (?P<label>.+) and click Submit\."},
    "click-widget": {"main": r'Click on an? "(?P<kind>.+)" widget\.'},
    "click-test": {"main": r"Click the button\."},
    "click-test-2": {"main": r"Click button (?P<label>\S+)\."},
    "click-collapsible": {"main": r"Expand the section below and click submit\."},
    "click-collapsible-2": {
        "main": r'Expand the sections below, to find and click on the link "(?P<label>.+)"\.'
    },
    "click-menu": {"main": r"Select (?P<path>.+)"},
    "click-scroll-list": {"main": r"Select (?P<items>.+) from the scroll list and click Submit\."},
    "enter-text": {"main": r'Enter "(?P<text>.+)" into the text field and press Submit\.'},
    "enter-text-dynamic": {"main": r'Enter "(?P<text>.+)" into the text field and press Submit\.'},
    "enter-password": {
        "main": r'Enter the password "(?P<text>.+)" into both text fields and press submit\.'
    },
    "enter-date": {"main": r"Enter (?P<date>\S+) as the date and hit submit\."},
    "focus-text": {"main": r"Focus into the textbox\."},
    "focus-text-2": {"main": r"Focus into the (?P<n>\d+)(?:st|nd|rd|th) input textbox\."},
    "login-user": {
        "main": r'Enter the username "(?P<user>.+)" and the password "(?P<password>.+)" into the'
        r" text fields and press login\."
    },
    "navigate-tree": {
        "main": r"Navigate through the file tree\. Find and click on the folder or file named"
        r' "(?P<label>.+)"\.'
    },
    "use-autocomplete": {
        "main": r'Enter an item that starts with "(?P<start>.+?)"'
        r'(?: and ends with "(?P<end>.+)")?\.'
    },
    "choose-list": {"main": r"Select (?P<label>.+) from the list and click Submit\."},
    "search-engine": {
        "main": r'Use the textbox to enter "(?P<text>.+)" and press "Search", then find and click'
        r" the (?P<n>\d+)(?:st|nd|rd|th) search result\."
    },
    "email-inbox": {
        "reply": r"Find the email by (?P<sender>.+) and reply to them with the text"
        r' "(?P<text>.+)"\.',
        "forward": r"Find the email by (?P<sender>.+) and forward that email to (?P<to>.+)\.",
        "trash": r"Find the email by (?P<sender>.+) and click the trash icon to delete it\.",
        "star": r"Find the email by (?P<sender>.+) and click the star icon to mark it as"
        r" important\.",
    },
    "social-media": {
        "main": r'For the user (?P<user>@\S+), click on the "(?P<button>.+)" button\.'
    },
    "find-word": {
        "main": r"Find the (?P<n>\d+)(?:st|nd|rd|th) word in the paragraph, type that into the"
        r' textbox and press "Submit"\.'
    },
    "read-table": {
        "main": r"Enter the value of (?P<key>.+) into the text field and press Submit\."
    },
}
_ROUTE = (
    r"Book the (?P<best>\S+) one-way flight from: (?P<origin>.+) to: (?P<destination>.+) on"
    r" (?P<date>\S+)\."
)
FORMS["book-flight"] = FORMS["book-flight-nodelay"] = {"main": _ROUTE}
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                 "ninth", "tenth", "eleventh", "twelfth")  # fmt: skip
KIND_NAMES = {"text": "text input", "textarea": "text area", "radio": "radio button",
              "checkbox": "checkbox", "button": "button"}  # fmt: skip


@cache
def templates() -> dict[str, dict[str, list[str]]]:
    """Task -> wording form -> rewordings, from data/paraphrases.json."""
    return json.loads(TEMPLATES.read_text())["tasks"]


def slots(task: str, instruction: str) -> tuple[str, dict[str, str]]:
    """(form, slots) of a task's own instruction, with the derived slots the templates use;
    raises ValueError naming the task when no wording of it matches."""
    for form, pattern in FORMS.get(task, {}).items():
        found = re.fullmatch(pattern, instruction.strip())
        if found:
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            return form, _derived(values)
    raise ValueError(f"no wording of {task!r} matches {instruction!r}; add it to FORMS")


def _derived(values: dict[str, str]) -> dict[str, str]:
    out = dict(values)
    if "n" in values:
        n = int(values["n"])
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        out["nth"] = f"{n}{suffix}"
        out["nth_word"] = ORDINAL_WORDS[n - 1] if 0 < n <= len(ORDINAL_WORDS) else out["nth"]
    if "items" in values:
        items = [i.strip() for i in values["items"].split(",")]
        out["items_and"] = (
            items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        )
    if "path" in values:
        out["path_spaced"] = " > ".join(p.strip() for p in values["path"].split(">"))
    if "kind" in values:
        out["kind_name"] = KIND_NAMES.get(values["kind"], values["kind"])
    if "start" in values:
        start, end = values["start"], values.get("end")
        out["rule"] = f'starts with "{start}"' + (f' and ends with "{end}"' if end else "")
        out["rule_ing"] = f'beginning with "{start}"' + (f' and ending with "{end}"' if end else "")
    return out


def reword(task: str, instruction: str, which: int) -> str:
    """The `which`-th rewording (modulo how many there are) of a task's own instruction."""
    form, values = slots(task, instruction)
    options = templates()[task][form]
    return options[which % len(options)].format(**values)


def count(task: str) -> int:
    """How many rewordings each wording form of `task` has (the smallest, if they differ)."""
    return min(len(options) for options in templates()[task].values())
