"""Any web page as an env: `gymnasium.make("handeye/web-v0", url=..., viewport=(1280, 720))`."""

from __future__ import annotations

ENTRY_POINT = "envs.web.env:WebEnv"
WEB_ENV_ID = "handeye/web-v0"
MAX_EPISODE_STEPS = 50


def register_web_envs() -> list[str]:
    """Register the any-URL web env with gymnasium (idempotent); returns its id."""
    import gymnasium

    if WEB_ENV_ID not in gymnasium.registry:
        gymnasium.register(
            id=WEB_ENV_ID,
            entry_point=ENTRY_POINT,
            max_episode_steps=MAX_EPISODE_STEPS,
            nondeterministic=True,  # a live page can change between two loads
        )
    return [WEB_ENV_ID]
