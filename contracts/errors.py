"""The one exceptions module: every error handeye raises on purpose derives from HandeyeError."""

from __future__ import annotations


class HandeyeError(Exception):
    """Base class for handeye's own errors; messages say what was wrong and what to do next."""


class SetupError(HandeyeError):
    """Something the machine lacks (a browser, a display, an optional package)."""


class EnvError(HandeyeError):
    """An environment could not be built, reset or stepped (unknown task, dead browser)."""


class ActionError(HandeyeError, ValueError):
    """An action is malformed, out of range or of an unknown kind."""


class GroundingError(HandeyeError, ValueError):
    """A model reply could not be turned into a point, box or tool call."""


class ConfigError(HandeyeError, ValueError):
    """A name no registry knows, or options that its config does not have."""


class TraceError(HandeyeError):
    """A recorded trace is missing, incomplete or unreadable."""


def missing_extra(module: str, extra: str) -> SetupError:
    """Build the error raised when an optional dependency is absent."""
    return SetupError(
        f"the optional package '{module}' is not installed; run: pip install 'handeye[{extra}]'"
        " (or `make setup` in a checkout)"
    )
