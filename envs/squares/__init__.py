"""The synthetic "click the <colour> square" grounding env: `handeye/click-square-v0`."""

from __future__ import annotations

ENTRY_POINT = "envs.squares.env:ClickSquareEnv"


def register_squares_envs() -> list[str]:
    """Register the click-square id with gymnasium (idempotent); the ids."""
    from envs.registration import register_task_family

    return register_task_family("click-square", [""], ENTRY_POINT, 1, kwargs={"": {}})
