"""Farama's `miniwob` env (Selenium + chromedriver) as a peer for handeye's benchmarks.

`FaramaSide` runs Farama's env behind the benchmark's side protocol: it takes typed handeye
actions and hands back handeye-shaped observations and `info["privileged"]["dom"]`, so one
expert drives both envs.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

FARAMA = "farama"


class FaramaActions:
    """Typed handeye actions as Farama action dicts (coordinates: CSS px = observation px)."""

    _MODIFIERS = {"alt": "A-", "option": "A-", "ctrl": "C-", "control": "C-"}
    _MODIFIERS |= {"meta": "M-", "cmd": "M-", "command": "M-", "super": "M-", "shift": "S-"}
    _NAMES = {"esc": "Escape", "return": "Enter", "del": "Delete", "pgup": "PageUp"}
    _NAMES |= {"pgdn": "PageDown", "up": "ArrowUp", "down": "ArrowDown"}
    _NAMES |= {"left": "ArrowLeft", "right": "ArrowRight"}

    def __init__(self, env: Any) -> None:
        from miniwob.constants import ALL_POSSIBLE_KEYS, WEBDRIVER_SPECIAL_KEYS

        self.env = env
        self.key_index = {k: i for i, k in enumerate(ALL_POSSIBLE_KEYS)}
        self.special = {name[1:-1].lower(): name for name in WEBDRIVER_SPECIAL_KEYS}

    def convert(self, action: Any) -> dict[str, Any]:
        """One Farama action for a typed action; raises ValueError for kinds it cannot map."""
        import numpy as np
        from miniwob.action import ActionTypes

        from contracts.actions import Click, DoubleClick, Hover, Key, Type, Wait

        coords_kinds = {
            Click: ActionTypes.CLICK_COORDS,
            DoubleClick: ActionTypes.DBLCLICK_COORDS,
            Hover: ActionTypes.MOVE_COORDS,
        }
        kind = type(action)
        if kind in coords_kinds and getattr(action, "button", "left") == "left":
            # handeye clicks the centre of the observation pixel; so does this
            coords = np.array([action.x + 0.5, action.y + 0.5], dtype=np.float32)
            return self.env.create_action(coords_kinds[kind], coords=coords)
        if isinstance(action, Type):
            return self.env.create_action(ActionTypes.TYPE_TEXT, text=action.text)
        if isinstance(action, Key):
            return self.env.create_action(ActionTypes.PRESS_KEY, key=self._key(action.keys))
        if isinstance(action, Wait):  # FaramaSide.step sleeps first, as handeye's page does
            return self.env.create_action(ActionTypes.NONE)
        raise ValueError(f"the Farama adapter cannot map {action!s}")

    def _key(self, chord: str) -> int:
        *mods, key = [p.strip() for p in chord.split("+")]
        prefix = "".join(sorted(self._MODIFIERS.get(m.lower(), "?") for m in mods))
        name = self._NAMES.get(key.lower(), key)
        token = self.special.get(name.lower(), name)
        if prefix + token not in self.key_index:  # also an unknown modifier ("?")
            raise ValueError(f"the Farama adapter cannot map key {chord!r}")
        return self.key_index[prefix + token]


def farama_dom(elements: Any) -> list[dict[str, Any]]:
    """Farama's serialized `dom_elements` in the shape of handeye's `info["privileged"]["dom"]`."""
    out = []
    for el in elements:
        focused, _tampered, _, is_leaf = (int(f) for f in el["flags"])
        head, sep, kind = el["tag"].partition("_")
        item: dict[str, Any] = {
            "ref": int(el["ref"]),
            "parent": int(el["parent"]) or None,
            "tag": "t" if el["tag"] == "t" else head.upper() + sep + kind,
            "left": float(el["left"][0]),
            "top": float(el["top"][0]),
            "width": float(el["width"][0]),
            "height": float(el["height"][0]),
            "id": el["id"],
            "classes": el["classes"],
            "bgColor": _rgba(el["bg_color"]),
            "fgColor": _rgba(el["fg_color"]),
        }
        if focused:
            item["focused"] = True
        if is_leaf:
            item["text"] = el["text"]
        if head in ("input", "textarea"):
            value = el["value"]
            item["value"] = value == "True" if kind in ("checkbox", "radio") else value
        out.append(item)
    return out


def _rgba(floats: Any) -> str:
    r, g, b, a = (float(v) for v in floats)
    return f"rgba({round(r * 255)}, {round(g * 255)}, {round(b * 255)}, {a:g})"


class FaramaSide:
    """Farama's env through `gymnasium.make`; the expert's actions and DOM go via the adapter."""

    name = FARAMA

    def __init__(self, task: str, max_steps: int = 30) -> None:
        import gymnasium as gym
        import miniwob
        from miniwob.action import ActionSpaceConfig
        from miniwob.constants import ALL_POSSIBLE_KEYS

        gym.register_envs(miniwob)
        config = ActionSpaceConfig.get_preset("all_supported")
        config.allowed_keys = ALL_POSSIBLE_KEYS  # so that chords like ctrl+a map too
        self.task = task
        self.env = gym.make(
            f"miniwob/{task}-v1", max_episode_steps=max_steps, action_space_config=config
        )
        self.actions = FaramaActions(self.env.unwrapped)
        self.phases: dict[str, float] = {}

    def _info(self, obs: dict[str, Any]) -> dict[str, Any]:
        privileged: dict[str, Any] = {"dom": farama_dom(obs["dom_elements"])}
        if obs["fields"]:
            privileged["fields"] = dict(obs["fields"])
        return {"task": self.task, "instruction": obs["utterance"], "privileged": privileged}

    def reset(self, seed: int) -> tuple[dict[str, Any], dict[str, Any], float]:
        t0 = time.perf_counter()
        obs, _ = self.env.reset(seed=seed)
        env_s = time.perf_counter() - t0
        return (
            {"screen": obs["screenshot"], "instruction": obs["utterance"]},
            self._info(obs),
            env_s,
        )

    def step(self, action: Any) -> tuple[dict[str, Any], dict[str, Any], bool, bool, float]:
        from contracts.actions import Done, Wait

        if isinstance(action, Done):  # Farama has no "done" action: the episode ends unsolved
            return {}, {}, True, False, 0.0
        farama_action = self.actions.convert(action)
        t0 = time.perf_counter()
        if isinstance(action, Wait):
            time.sleep(action.seconds)
        obs, _, terminated, truncated, meta = self.env.step(farama_action)
        env_s = time.perf_counter() - t0
        success = bool(terminated and meta.get("raw_reward", 0) > 0)
        screen = {"screen": obs["screenshot"], "instruction": obs["utterance"]}
        return screen, self._info(obs), terminated or truncated, success, env_s

    def close(self) -> None:
        self.env.close()


def use_farama_chrome(flags: str) -> None:
    """Point Farama at Chromium + chromedriver; with flags="same", give it handeye's flags."""
    from envs.browser.pool import CHROMIUM_FLAGS, find_chromium

    binary = (  # the full browser, as Farama's docs set it up (Chrome + chromedriver)
        os.environ.get("MINIWOB_CHROME_BINARY")
        or find_chromium(headless=False)
        or "/usr/bin/chromium"
    )
    driver = os.environ.get("MINIWOB_CHROMEDRIVER") or shutil.which("chromedriver")
    os.environ["MINIWOB_CHROMEDRIVER"] = driver or "/usr/bin/chromedriver"
    if flags == "same" and "HANDEYE_BENCH_WRAPPED" not in os.environ:
        # Farama builds its ChromeOptions itself; its API's one door is the binary it launches.
        wrapper = Path(tempfile.mkdtemp(prefix="bench-env-")) / "chromium"
        args = " ".join(shlex.quote(a) for a in (binary, *CHROMIUM_FLAGS))
        wrapper.write_text(f'#!/bin/sh\nexec {args} "$@"\n')
        wrapper.chmod(0o755)
        atexit.register(shutil.rmtree, wrapper.parent, ignore_errors=True)
        binary = str(wrapper)
        os.environ["HANDEYE_BENCH_WRAPPED"] = "1"
    os.environ["MINIWOB_CHROME_BINARY"] = binary
