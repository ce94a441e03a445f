"""A small sign-in site served on 127.0.0.1 for the web env and chat tests (real HTTP, no mocks).

Layout is absolute, in CSS pixels, so tests and scripted policies know where things are.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

# Centres of the widgets, in CSS pixels of a 640x400 (or larger) viewport.
USER_FIELD = (120, 95)
PASSWORD_FIELD = (120, 145)
SUBMIT_BUTTON = (80, 195)
AWAY_LINK = (320, 95)
NEW_TAB_LINK = (320, 145)

_STYLE = """
body { margin: 0; font: 16px sans-serif; background: #fff; }
h1 { position: absolute; left: 20px; top: 10px; margin: 0; font-size: 24px; }
#user, #password { position: absolute; left: 20px; width: 200px; height: 30px;
  box-sizing: border-box; font-size: 16px; }
#user { top: 80px; } #password { top: 130px; }
#submit { position: absolute; left: 20px; top: 180px; width: 120px; height: 30px; }
#away { position: absolute; left: 280px; top: 85px; }
#tab { position: absolute; left: 280px; top: 135px; }
* { caret-color: transparent; }
"""

FORM_HTML = f"""<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title>
<style>{_STYLE}</style></head><body>
<h1>Sign in</h1>
<form id="login" action="/welcome.html" method="get">
  <input id="user" name="user" placeholder="user name" autocomplete="off">
  <input id="password" name="password" type="password" placeholder="password">
  <button id="submit" type="submit">Sign in</button>
</form>
<a id="away" href="http://example.invalid/">elsewhere</a>
<a id="tab" href="/welcome.html?user=tab" target="_blank">new tab</a>
</body></html>"""

WELCOME_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Welcome</title></head>
<body style="margin:0;font:16px sans-serif"><h1 id="hello" style="margin:20px">Welcome</h1>
<script>
  const who = new URLSearchParams(location.search).get('user');
  document.getElementById('hello').textContent = 'Welcome ' + who;
  document.title = 'Welcome ' + who;
</script></body></html>"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Keep test output clean."""


@contextlib.contextmanager
def serve_form_site(root: Path) -> Iterator[str]:
    """Serve the sign-in site from `root` on a free loopback port; yields the base URL."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(FORM_HTML)
    (root / "welcome.html").write_text(WELCOME_HTML)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
