"""Play tic-tac-toe (noughts and crosses) from pixels: "playing as 'X', win a game of
tic-tac-toe".

The board is the 3x3 grid of like outlined squares; a cell holds a cross (ink through its
middle), a nought (a ring, its middle clear) or nothing. Each turn the frame is read again, the
move is chosen by a full game-tree search (a sooner win scores higher, a later loss less low)
and the cell is clicked; the next frame shows the other side's answer.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from contracts.actions import Click, Wait
from perception.screen.dots import ink
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
EMPTY_SHARE = 0.02  # a cell with less ink than this share of its inside is empty
MAX_WAITS = 3  # frames waited for the other side's mark before moving anyway


def cells(view: View) -> list[tuple[int, int, int, int]]:
    """The board's nine cells in reading order: outlined squares of one size on a 3x3 grid."""
    boxes = view.outlined_boxes()
    for b in boxes:
        side = b[2] - b[0]
        like = [
            c
            for c in boxes
            if abs((c[2] - c[0]) - side) <= 3 and abs((c[3] - c[1]) - (b[3] - b[1])) <= 3
        ]
        xs = sorted({c[0] for c in like})
        ys = sorted({c[1] for c in like})
        if len(like) == 9 and len(_cluster(xs)) == 3 and len(_cluster(ys)) == 3:
            return sorted(like, key=lambda c: (c[1] // max(1, side // 2), c[0]))
    return []


def _cluster(values: list[int], gap: int = 4) -> list[int]:
    out: list[int] = []
    for v in values:
        if not out or v - out[-1] > gap:
            out.append(v)
    return out


def read_board(frame: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> str:
    """Nine characters, "X", "O" or "." per cell: ink through the middle is a cross, ink
    around a clear middle a nought."""
    drawn = ink(frame)
    out = []
    for x0, y0, x1, y1 in boxes:
        inside = drawn[y0 + 3 : y1 - 2, x0 + 3 : x1 - 2]
        if inside.size == 0 or inside.mean() < EMPTY_SHARE:
            out.append(".")
            continue
        h, w = inside.shape
        middle = inside[
            h // 2 - h // 8 : h // 2 + h // 8 + 1, w // 2 - w // 8 : w // 2 + w // 8 + 1
        ]
        out.append("X" if middle.mean() > 0.3 else "O")
    return "".join(out)


def _winner(board: str) -> str | None:
    for a, b, c in LINES:
        if board[a] != "." and board[a] == board[b] == board[c]:
            return board[a]
    return None


@functools.cache
def _score(board: str, me: str, turn: str) -> int:
    """Game value for `me` with `turn` to move: +(10 - moves) a win, -(10 - moves) a loss."""
    won = _winner(board)
    moves = board.count(".")
    if won is not None:
        return (moves + 1) if won == me else -(moves + 1)
    if moves == 0:
        return 0
    other = "O" if turn == "X" else "X"
    values = [
        _score(board[:i] + turn + board[i + 1 :], me, other)
        for i, c in enumerate(board)
        if c == "."
    ]
    return max(values) if turn == me else min(values)


def best_move(board: str, me: str) -> int | None:
    """The cell to mark next (index 0-8), or None when the game is over."""
    if _winner(board) is not None or "." not in board:
        return None
    other = "O" if me == "X" else "X"
    options = [i for i, c in enumerate(board) if c == "."]
    # Ties go to the centre, then corners: more ways to win against a careless opponent.
    rank = {4: 0, 0: 1, 2: 1, 6: 1, 8: 1}
    return max(
        options,
        key=lambda i: (_score(board[:i] + me + board[i + 1 :], me, other), -rank.get(i, 2)),
    )


def game_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Mark the best cell each turn until the game is over (None); NOT_MINE for a step that is
    no game (the grammar's manner "game", the side played its value)."""
    if state.step.manner != "game":
        return NOT_MINE
    memo = state.memo
    if memo.get("over"):
        return None
    boxes = cells(view)
    if not boxes:
        return NOT_MINE if not memo else None
    me = (state.step.value or "X").upper()
    board = read_board(view.frame, boxes)
    notes["board"] = board
    last = memo.get("board")
    # After our mark the other side answers: wait for its mark (the page may draw it late).
    unanswered = last is not None and board.count(".") >= last.count(".") and "." in board
    if unanswered and _winner(board) is None and memo.get("waits", 0) < MAX_WAITS:
        memo["waits"] = memo.get("waits", 0) + 1
        return Wait(0.2), None, "none"
    move = best_move(board, me)
    if move is None:
        memo["over"] = True
        return None
    memo["waits"] = 0
    memo["board"] = board[:move] + me + board[move + 1 :]
    x0, y0, x1, y1 = boxes[move]
    notes["target"] = f"cell {move} of {board}"
    return Click((x0 + x1) // 2, (y0 + y1) // 2), None, "none"
