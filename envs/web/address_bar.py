"""The browser's own controls, emulated for a headless page: address bar, back, forward, reload.

A headless Playwright page has no browser chrome, so the keys a person would use (ctrl+l,
type a URL, Enter; alt+Left; F5) would reach the page and do nothing. `AddressBar` is the
small state machine the web env consults before sending a key or text to the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.errors import ActionError
from envs.browser.pool import playwright_keys

FOCUS_CHORDS = frozenset({"control+l", "alt+d", "f6"})
# Chords the browser itself handles; the value names the page method to call.
HISTORY_CHORDS = {
    "alt+arrowleft": "go_back",
    "alt+arrowright": "go_forward",
    "f5": "reload",
    "control+r": "reload",
}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST_LIKE = re.compile(r"^(localhost|\[[0-9a-fA-F:]+\]|[\w-]+(\.[\w-]+)+)(:\d+)?([/?#].*)?$")


def normalise_chord(chord: str) -> str:
    """A chord in one comparable form: Playwright's names, lower case ('control+l')."""
    return playwright_keys(chord.replace(" ", "")).lower()


def normalise_url(text: str) -> str:
    """What the address bar would load for `text`: add http:// to a bare host; refuse a search."""
    text = text.strip()
    if not text:
        raise ActionError("the address bar is empty; type a URL such as http://127.0.0.1:8000/")
    if text.startswith(("about:", "data:", "file:")) or "://" in text:
        return text
    if _HOST_LIKE.match(text):
        return f"http://{text}"
    if _SCHEME.match(text) and not text.split(":", 1)[1].isdigit():
        return text
    raise ActionError(
        f"{text!r} is not a URL and there is no search engine offline; type a full address"
    )


@dataclass(frozen=True)
class BarResult:
    """What the bar did with a key or text: whether it consumed it, and where to go, if anywhere."""

    handled: bool
    navigate: str | None = None


class AddressBar:
    """Text being typed into the address bar; `text is None` while the page has the focus."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.selected = False

    @property
    def active(self) -> bool:
        return self.text is not None

    def focus(self, current_url: str) -> None:
        """Focus the bar showing the current URL, all of it selected (as browsers do)."""
        self.text, self.selected = current_url, True

    def blur(self) -> None:
        self.text, self.selected = None, False

    def type(self, text: str) -> BarResult:
        """Insert typed text (replacing a selection); a newline in it submits the bar."""
        if self.text is None:
            return BarResult(False)
        line, newline, _ = text.partition("\n")
        self.text = line if self.selected else self.text + line
        self.selected = False
        if newline:
            return BarResult(True, self._submit())
        return BarResult(True)

    def key(self, chord: str) -> BarResult:
        """Handle a key press if the bar has the focus or the chord focuses it."""
        name = normalise_chord(chord)
        if self.text is None:
            return BarResult(False)
        if name == "enter":
            return BarResult(True, self._submit())
        if name == "escape":
            self.blur()
        elif name == "backspace":
            self.text = "" if self.selected else self.text[:-1]
            self.selected = False
        elif name == "control+a":
            self.selected = True
        else:  # any other key goes back to the page, as a click outside the bar would
            self.blur()
            return BarResult(False)
        return BarResult(True)

    def _submit(self) -> str:
        text = self.text or ""
        self.blur()
        return normalise_url(text)
