"""MuJoCo tabletop envs (floating gripper or 7-DoF arm), registered under `handeye/`."""

from __future__ import annotations

ENV_IDS = {
    "handeye/tabletop-pick-place-v0": "pick_place",
    "handeye/tabletop-push-v0": "push",
    "handeye/tabletop-stack-v0": "stack",
    "handeye/tabletop-reach-v0": "reach",
}
# The same tasks with the Franka-like 7-DoF arm carrying the gripper (TabletopConfig.robot="arm").
ARM_ENV_IDS = {env_id.replace("-v0", "-arm-v0"): task for env_id, task in ENV_IDS.items()}


def register_tabletop_envs() -> list[str]:
    """Register the tabletop ids with gymnasium (idempotent; mujoco loads only on make); the ids."""
    import gymnasium as gym

    from envs.tabletop.tasks import TASKS

    for ids, extra in ((ENV_IDS, {}), (ARM_ENV_IDS, {"robot": "arm"})):
        for env_id, task in ids.items():
            if env_id in gym.registry:
                continue
            gym.register(
                id=env_id,
                entry_point="envs.tabletop.env:TabletopEnv",
                kwargs={"task": task, **extra},
                max_episode_steps=TASKS[task].max_episode_steps,
            )
    return [*ENV_IDS, *ARM_ENV_IDS]
