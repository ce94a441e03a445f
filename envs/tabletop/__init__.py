"""MuJoCo tabletop envs (floating gripper or 7-DoF arm), registered under `handeye/`."""

from __future__ import annotations

ENTRY_POINT = "envs.tabletop.env:TabletopEnv"
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
    from envs.registration import register_task_family
    from envs.tabletop.tasks import TASKS

    kwargs, steps = {}, {}
    for ids, extra in ((ENV_IDS, {}), (ARM_ENV_IDS, {"robot": "arm"})):
        for env_id, task in ids.items():
            name = env_id.removeprefix("handeye/tabletop-").removesuffix("-v0")
            kwargs[name] = {"task": task, **extra}
            steps[name] = TASKS[task].max_episode_steps
    return register_task_family("tabletop", kwargs, ENTRY_POINT, steps, kwargs=kwargs)
