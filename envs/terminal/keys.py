"""Key chords ("Enter", "ctrl+c", "shift+Tab") as the bytes an xterm sends, for Key actions."""

from __future__ import annotations

from contracts.errors import ActionError

_CSI = b"\x1b["
_SS3 = b"\x1bO"

# Keys whose plain form is a fixed byte string and which take no xterm modifier parameter.
_PLAIN = {
    "enter": b"\r",
    "return": b"\r",
    "tab": b"\t",
    "backspace": b"\x7f",
    "escape": b"\x1b",
    "esc": b"\x1b",
    "space": b" ",
}

# Cursor keys: CSI <final> plain, CSI 1;<mod> <final> with modifiers.
_CURSOR = {"up": b"A", "down": b"B", "right": b"C", "left": b"D", "home": b"H", "end": b"F"}
_CURSOR.update({f"arrow{k}": v for k, v in list(_CURSOR.items())[:4]})

# Editing and function keys of the form CSI <n> ~ (CSI <n>;<mod> ~ with modifiers).
_TILDE = {
    "insert": 2,
    "delete": 3,
    "del": 3,
    "pageup": 5,
    "pagedown": 6,
    "f5": 15,
    "f6": 17,
    "f7": 18,
    "f8": 19,
    "f9": 20,
    "f10": 21,
    "f11": 23,
    "f12": 24,
}

# F1-F4 are SS3 P..S plain, CSI 1;<mod> P..S with modifiers.
_SS3_KEYS = {"f1": b"P", "f2": b"Q", "f3": b"R", "f4": b"S"}

_MODIFIERS = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "meta": "alt",
    "option": "alt",
    "shift": "shift",
}

# ctrl+<symbol> codes beyond the letters (as xterm and the VT100 send them).
_CTRL_SYMBOLS = {
    "@": 0x00,
    "space": 0x00,
    " ": 0x00,
    "[": 0x1B,
    "\\": 0x1C,
    "]": 0x1D,
    "^": 0x1E,
    "_": 0x1F,
    "?": 0x7F,
    "/": 0x1F,
    "2": 0x00,
    "3": 0x1B,
    "4": 0x1C,
    "5": 0x1D,
    "6": 0x1E,
    "7": 0x1F,
    "8": 0x7F,
}


def _modifier_param(mods: set[str]) -> int:
    """The xterm modifier parameter: 1 + shift(1) + alt(2) + ctrl(4)."""
    return 1 + ("shift" in mods) + 2 * ("alt" in mods) + 4 * ("ctrl" in mods)


def _special(name: str, mods: set[str]) -> bytes | None:
    """Bytes for a named non-character key with modifiers, or None if `name` is not one."""
    if name in _CURSOR:
        final = _CURSOR[name]
        return _CSI + final if not mods else _CSI + b"1;%d" % _modifier_param(mods) + final
    if name in _TILDE:
        n = _TILDE[name]
        return _CSI + b"%d~" % n if not mods else _CSI + b"%d;%d~" % (n, _modifier_param(mods))
    if name in _SS3_KEYS:
        final = _SS3_KEYS[name]
        return _SS3 + final if not mods else _CSI + b"1;%d" % _modifier_param(mods) + final
    if name in _PLAIN:
        if name == "tab" and "shift" in mods:
            return _CSI + b"Z"
        if name == "backspace" and "ctrl" in mods:
            return b"\x08"
        if name == "space" and "ctrl" in mods:
            return b"\x00"
        return (b"\x1b" if "alt" in mods else b"") + _PLAIN[name]
    return None


def _character(key: str, mods: set[str], chord: str) -> bytes:
    """Bytes for a single printable character with ctrl/alt/shift applied."""
    if "shift" in mods:
        key = key.upper()
    if "ctrl" in mods:
        if key.isascii() and key.isalpha():
            code = ord(key.lower()) - ord("a") + 1
        elif key in _CTRL_SYMBOLS:
            code = _CTRL_SYMBOLS[key]
        else:
            raise ActionError(f"key chord {chord!r}: ctrl+{key!r} has no terminal control code")
        out = bytes([code])
    else:
        out = key.encode("utf-8")
    return b"\x1b" + out if "alt" in mods else out


def chord_bytes(chord: str) -> bytes:
    """Encode one key chord (names joined by '+', case-insensitive) as xterm input bytes.

    Raises ActionError naming the problem for an unknown key or modifier.
    """
    parts = [p.strip() for p in chord.split("+")]
    if not chord or any(not p for p in parts):
        raise ActionError(
            f"key chord {chord!r} is malformed; use names joined by '+', e.g. 'ctrl+c'"
        )
    *mod_names, key = parts
    mods: set[str] = set()
    for m in mod_names:
        canon = _MODIFIERS.get(m.lower())
        if canon is None:
            raise ActionError(
                f"key chord {chord!r}: unknown modifier {m!r}; a terminal knows ctrl, alt, shift"
            )
        mods.add(canon)
    special = _special(key.lower(), mods)
    if special is not None:
        return special
    if len(key) == 1:
        return _character(key, mods, chord)
    raise ActionError(
        f"key chord {chord!r}: unknown key {key!r}; use a character or one of "
        f"{', '.join(sorted(known_keys()))}"
    )


def known_keys() -> set[str]:
    """Every named (non-character) key this module encodes, lower-case."""
    return set(_PLAIN) | set(_CURSOR) | set(_TILDE) | set(_SS3_KEYS)
