"""A small Tk form (a text field, OK and Cancel) that writes its state to a JSON file.

Run as a script by the desktop tasks: `python form_app.py STATE.json --x 120 --y 80`.
The state file (written atomically after every change) is what the task checkers read:
clicks per button, the field's text, the text submitted with OK, and each widget's box in
screen pixels. Only the standard library and Tk, so it starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import json
import os
import tkinter as tk


class FormApp:
    """The form's widgets and the state it reports."""

    def __init__(self, root: tk.Tk, state_path: str, swap: bool, title: str) -> None:
        self.root, self.state_path = root, state_path
        self.ok_clicks = self.cancel_clicks = 0
        self.submitted: str | None = None
        frame = tk.Frame(root, padx=16, pady=12)
        frame.pack(fill="both", expand=True)
        tk.Label(frame, text=title, font=("DejaVu Sans", 14, "bold")).pack(anchor="w")
        self.text = tk.StringVar(root)
        # A steady cursor: a blinking one would change the screen every 300 ms forever.
        self.entry = tk.Entry(
            frame, textvariable=self.text, width=28, font=("DejaVu Sans", 12), insertofftime=0
        )
        self.entry.pack(fill="x", pady=10)
        self.status = tk.Label(frame, text="", font=("DejaVu Sans", 11))
        self.status.pack(anchor="w")
        buttons = tk.Frame(frame)
        buttons.pack(anchor="e", pady=(8, 0))
        self.ok = tk.Button(buttons, text="OK", width=8, command=self.on_ok)
        self.cancel = tk.Button(buttons, text="Cancel", width=8, command=self.on_cancel)
        for button in (self.cancel, self.ok) if swap else (self.ok, self.cancel):
            button.pack(side="left", padx=4)
        self.text.trace_add("write", lambda *_: self.write_state())

    def on_ok(self) -> None:
        self.ok_clicks += 1
        self.submitted = self.text.get()
        self.status.config(text=f"OK pressed ({self.ok_clicks})")
        self.write_state()

    def on_cancel(self) -> None:
        self.cancel_clicks += 1
        self.status.config(text=f"Cancel pressed ({self.cancel_clicks})")
        self.write_state()

    @staticmethod
    def box(widget: tk.Widget) -> list[int]:
        """The widget's [x0, y0, x1, y1] on the screen, end-exclusive."""
        x, y = widget.winfo_rootx(), widget.winfo_rooty()
        return [x, y, x + widget.winfo_width(), y + widget.winfo_height()]

    def write_state(self) -> None:
        state = {
            "ready": True,
            "ok_clicks": self.ok_clicks,
            "cancel_clicks": self.cancel_clicks,
            "text": self.text.get(),
            "submitted": self.submitted,
            "focus": str(self.root.focus_get() or ""),
            "widgets": {
                "window": self.box(self.root),
                "entry": self.box(self.entry),
                "ok": self.box(self.ok),
                "cancel": self.box(self.cancel),
            },
        }
        tmp = f"{self.state_path}.tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, self.state_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("state", help="JSON file the app writes its state to")
    parser.add_argument("--x", type=int, default=100)
    parser.add_argument("--y", type=int, default=100)
    parser.add_argument("--swap", action="store_true", help="put Cancel before OK")
    parser.add_argument("--title", default="Form")
    args = parser.parse_args()
    root = tk.Tk(className="handeye-form")
    root.title(args.title)
    root.geometry(f"+{args.x}+{args.y}")
    app = FormApp(root, args.state, args.swap, args.title)
    root.wait_visibility()
    # Take the X input focus: with no window manager, keys would otherwise follow the pointer.
    root.focus_force()
    root.update()
    app.write_state()  # announces readiness with the final widget geometry
    root.mainloop()


if __name__ == "__main__":
    main()
