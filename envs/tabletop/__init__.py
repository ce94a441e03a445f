"""MuJoCo tabletop manipulation envs (floating parallel gripper), registered under `handeye/`."""

from __future__ import annotations

ENV_IDS = {
    "handeye/tabletop-pick-place-v0": "pick_place",
    "handeye/tabletop-push-v0": "push",
    "handeye/tabletop-stack-v0": "stack",
    "handeye/tabletop-reach-v0": "reach",
}


def register_tabletop_envs() -> list[str]:
    """Register the tabletop ids with gymnasium (idempotent; mujoco loads only on make); the ids."""
    import gymnasium as gym

    from envs.tabletop.tasks import TASKS

    for env_id, task in ENV_IDS.items():
        if env_id in gym.registry:
            continue
        gym.register(
            id=env_id,
            entry_point="envs.tabletop.env:TabletopEnv",
            kwargs={"task": task},
            max_episode_steps=TASKS[task].max_episode_steps,
        )
    return list(ENV_IDS)
