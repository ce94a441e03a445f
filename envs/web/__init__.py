"""Any web page as an env: `gymnasium.make("handeye/web-v0", url=..., viewport=(1280, 720))`."""

from __future__ import annotations

ENTRY_POINT = "envs.web.env:WebEnv"
WEB_ENV_ID = "handeye/web-v0"
MAX_EPISODE_STEPS = 50


def register_web_envs() -> list[str]:
    """Register the any-URL web env with gymnasium (idempotent); returns its id."""
    from envs.registration import register_task_family

    # One env with no task; nondeterministic: a live page can change between two loads.
    return register_task_family("web", [""], ENTRY_POINT, MAX_EPISODE_STEPS, True, {"": {}})
