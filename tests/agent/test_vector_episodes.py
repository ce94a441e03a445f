"""`evaluate --workers N` on browser envs: N pages of one browser, sequential results per seed."""

from __future__ import annotations

from agent import evaluation
from agent.evaluation import evaluate

ENVS = ["handeye/miniwob-click-checkboxes-v0", "handeye/miniwob-enter-text-v0"]
SAME = ("env_id", "policy", "seed", "instruction", "success", "total_reward", "steps", "error")


def _episodes(workers: int, monkeypatch) -> list[tuple]:
    seen: list[dict] = []
    paged: list[str] = []
    real = evaluation.run_vector_job

    def spy(job, *args, **kwargs):  # the real vector path, noting which envs took it
        paged.append(job.env_id)
        return real(job, *args, **kwargs)

    monkeypatch.setattr(evaluation, "run_vector_job", spy)
    reports, interrupted = evaluate(
        ENVS, "expert", episodes=4, workers=workers, seed=40, on_episode=seen.append
    )
    assert not interrupted and [r.episodes for r in reports] == [4, 4]
    assert paged == (ENVS if workers > 1 else [])  # pages in this process, no worker processes
    return sorted(tuple(e[k] for k in SAME) for e in seen)


def test_three_pages_at_once_give_the_sequential_results_per_seed(browser_pool, monkeypatch):
    sequential = _episodes(1, monkeypatch)
    paged = _episodes(3, monkeypatch)
    assert paged == sequential
    assert {e[1] for e in paged} == {"expert"} and sum(e[4] for e in paged) >= 6
