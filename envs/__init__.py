"""handeye envs: importing this package registers them with gymnasium (`handeye/...` ids)."""

from __future__ import annotations

import logging

from envs.vector import make_vec

log = logging.getLogger(__name__)

__all__ = ["make_vec", "register_all"]


def register_all() -> list[str]:
    """Register every env family whose optional dependencies are installed; returns the ids."""
    ids: list[str] = []
    try:
        from envs.miniwob import register_miniwob_envs

        ids += register_miniwob_envs()
    except ImportError as exc:
        log.debug("MiniWoB envs not registered: %s", exc)
    from envs.desktop import register_desktop_envs
    from envs.squares import register_squares_envs
    from envs.tabletop import register_tabletop_envs
    from envs.terminal import register_terminal_envs
    from envs.web import register_web_envs

    ids += register_terminal_envs()
    ids += register_tabletop_envs()
    ids += register_desktop_envs()
    ids += register_web_envs()
    ids += register_squares_envs()
    return ids


register_all()
