"""Tic-tac-toe from pixels: crosses and noughts read from cells, and the move chosen."""

from __future__ import annotations

import numpy as np

from policies.house.web.board_games import best_move, read_board


def _board() -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    import cv2

    frame = np.full((210, 160, 3), 255, np.uint8)
    boxes = []
    for r in range(3):
        for c in range(3):
            x0, y0 = 12 + 45 * c, 60 + 45 * r
            cv2.rectangle(frame, (x0, y0), (x0 + 41, y0 + 41), (0, 0, 0), 1)
            boxes.append((x0, y0, x0 + 42, y0 + 42))
    for k in (0, 4):  # crosses
        x0, y0, x1, y1 = boxes[k]
        cv2.line(frame, (x0 + 6, y0 + 6), (x1 - 6, y1 - 6), (0, 0, 0), 3)
        cv2.line(frame, (x0 + 6, y1 - 6), (x1 - 6, y0 + 6), (0, 0, 0), 3)
    for k in (2, 7):  # noughts
        x0, y0, x1, y1 = boxes[k]
        cv2.circle(frame, ((x0 + x1) // 2, (y0 + y1) // 2), 14, (60, 60, 60), 2)
    return frame, boxes


def test_crosses_noughts_and_empty_cells_are_read():
    frame, boxes = _board()
    assert read_board(frame, boxes) == "X.O.X..O."


def test_the_move_wins_when_it_can_and_blocks_when_it_must():
    assert best_move("X.O.X..O.", "X") == 8  # the diagonal
    assert best_move("OO..X....", "X") == 2  # block the top row
    assert best_move(".........", "X") == 4
    assert best_move("XXXOO....", "X") is None  # already over
