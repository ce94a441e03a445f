"""A synthetic grounding task: "click the <colour> square" on small frames, as handeye traces.

Each frame has a few coloured squares on fixed slots over a textured grey background; the
instruction names one colour and the expert clicks the centre of that square. It is
recorded with the real TraceWriter, so `handeye dataset build` and `handeye train vlm`
take it like any recorded episode. The scenes are those of the `handeye/click-square-v0` env
(`envs/squares`), which evaluates a fine-tuned model on held-out seeds. Used by the
fine-tuning test and as a smoke-sized example of the whole loop.
"""

from __future__ import annotations

from pathlib import Path

from envs.squares.env import COLOURS, SquareScene, make_scene, panels, scenes

__all__ = ["COLOURS", "SquareScene", "make_scene", "panels", "record_scenes", "scenes"]


def record_scenes(root: Path | str, items: list[SquareScene]) -> Path:
    """Write each scene as a one-step expert episode (a click on the target's centre)."""
    from agent.traces import StepRecord, TraceWriter
    from contracts.actions import Click, format_action

    with TraceWriter(root) as writer:
        for i, scene in enumerate(items):
            writer.start_episode(
                env_id="synthetic/click-square-v0",
                policy="expert",
                seed=i,
                instruction=scene.instruction,
            )
            writer.add_step(
                StepRecord(
                    step=0,
                    frame=scene.frame,
                    action=format_action(Click(*scene.centre)),
                    reward=1.0,
                    terminated=True,
                )
            )
            writer.end_episode(success=True)
    return Path(root)
