"""Real public web pages, rendered locally, with every interactive element labelled from the DOM.

The corpus is real static HTML from public design systems and examples: the W3C ARIA Authoring
Practices examples, Bootstrap's sign-in and checkout examples, Pico's preview pages, pages
written in the class names of USWDS, Primer, Bulma, Spectre and Pure, and the water.css /
simple.css demo pages (all committed under `benchmarks/data/real_pages/`), and the GOV.UK
Frontend component fixtures that the `govuk-frontend` npm package ships (built into a
gitignored cache). A loopback HTTP server serves them; pages that need a package's CSS take it
from `npm install` into the cache. Nothing reaches the network while pages render.

Labels (each element's kind, shown name and the boxes a click may land in) come from the
DOM (`training.real_page_labels`), at benchmark or training time only: the grounder sees the
screenshot.
"""

from __future__ import annotations

import functools
import http.server
import json
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import SetupError
from training.real_page_labels import (
    CONTROL_TOPS_JS,
    DARK_CSS,
    TARGETS_JS,
    RealTarget,
    dedupe_targets,
)

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "benchmarks" / "data" / "real_pages"
CACHE = REPO / ".cache" / "real_pages"
# The npm packages the corpus takes CSS, JS or fixtures from, pinned to the majors it was made on.
NPM_PACKAGES = (
    "govuk-frontend@5", "bootstrap@5.3", "@picocss/pico@2", "mvp.css@1", "@exampledev/new.css@1",
    "milligram@1", "chota@0.9", "sakura.css@1", "bamboo.css@1", "@uswds/uswds@3", "@primer/css@21",
    "bulma@1", "spectre.css@0.5", "purecss@3", "marx-css@4", "holiday.css@0.11", "tacit-css@1.9",
)  # fmt: skip
# The classless looks the "classless" site's two pages are rendered in (theme.js reads ?css=).
CLASSLESS_LOOKS = (
    "mvp", "new", "milligram", "chota", "sakura-dark", "bamboo-dark", "marx", "holiday", "tacit",
)  # fmt: skip
VIEWPORT = (1280, 720)
MAX_FRAMES = 8  # frames per page: the top, then scrolled to controls not yet seen
# GOV.UK components that hold controls, each a page of its first fixtures.
GOVUK_COMPONENTS = (
    "input", "textarea", "select", "checkboxes", "radios", "date-input", "password-input",
    "button", "character-count", "tabs", "service-navigation", "pagination", "breadcrumbs",
    "summary-list", "cookie-banner", "accordion", "header", "fieldset",
)  # fmt: skip
GOVUK_FIXTURES_PER_PAGE = 6


@dataclass(frozen=True)
class Site:
    """One site of the corpus: its pages (URL paths on the corpus server) and what they need."""

    name: str
    pages: tuple[str, ...]
    npm: tuple[str, ...] = ()  # package names whose files the pages load

    @property
    def built(self) -> bool:
        """True when the pages are built into the cache rather than committed."""
        return any(p.startswith("/built/") for p in self.pages)


def _aria(*names: str) -> tuple[str, ...]:
    return tuple(f"/src/aria-practices/patterns/{n}" for n in names)


SITES: tuple[Site, ...] = (
    Site(
        "aria-practices",
        _aria(
            "alertdialog/examples/alertdialog.html",
            "button/examples/button.html",
            "checkbox/examples/checkbox.html",
            "combobox/examples/combobox-autocomplete-list.html",
            "combobox/examples/combobox-datepicker.html",
            "combobox/examples/combobox-select-only.html",
            "link/examples/link.html",
            "listbox/examples/listbox-scrollable.html",
            "menu-button/examples/menu-button-actions.html",
            "menubar/examples/menubar-editor.html",
            "menubar/examples/menubar-navigation.html",
            "radio/examples/radio.html",
            "slider/examples/slider-temperature.html",
            "spinbutton/examples/quantity-spinbutton.html",
            "switch/examples/switch-checkbox.html",
            "tabs/examples/tabs-automatic.html",
        ),
    ),
    Site(
        "bootstrap",
        (
            "/src/bootstrap/sign-in.html",
            "/src/bootstrap/checkout.html",
            "/src/bootstrap/components.html",
        ),
        ("bootstrap",),
    ),
    Site("pico", ("/src/pico/preview.html", "/src/pico/sign-in-v1.html"), ("@picocss/pico",)),
    Site(
        "classless",
        tuple(
            f"/src/classless/{page}.html?css={look}"
            for look in CLASSLESS_LOOKS
            for page in ("signup", "settings", "preferences", "storefront", "appointments")
        ),
        (
            "mvp.css",
            "@exampledev/new.css",
            "milligram",
            "chota",
            "sakura.css",
            "bamboo.css",
            "marx-css",
            "holiday.css",
            "tacit-css",
        ),
    ),
    # One page each written for this corpus in the class names of a design system's own CSS.
    Site("uswds", ("/src/systems/uswds.html",), ("@uswds/uswds",)),
    Site("primer", ("/src/systems/primer.html",), ("@primer/css",)),
    Site("bulma", ("/src/systems/bulma.html",), ("bulma",)),
    Site("spectre", ("/src/systems/spectre.html",), ("spectre.css",)),
    Site("pure", ("/src/systems/pure.html",), ("purecss",)),
    Site("govuk", tuple(f"/built/govuk/{c}.html" for c in GOVUK_COMPONENTS), ("govuk-frontend",)),
    Site("water.css", ("/src/water.css/index.html",)),
    Site("simple.css", ("/src/simple.css/index.html",)),
)
# Whole sites kept out of all tuning and training: scores on them are the held-out figures.
HELD_OUT_SITES = ("govuk", "water.css", "simple.css")


def site(name: str) -> Site:
    """The corpus site called `name`."""
    for s in SITES:
        if s.name == name:
            return s
    raise KeyError(f"no real-page site {name!r}; the corpus has {[s.name for s in SITES]}")


# ------------------------------------------------------------------------------- building
def npm_root() -> Path:
    """Where the corpus's npm packages are installed (a gitignored cache)."""
    return CACHE / "npm" / "node_modules"


def ensure_npm(packages: tuple[str, ...] = NPM_PACKAGES) -> Path:
    """Install the corpus's npm packages into the cache once; returns their node_modules."""
    root = npm_root()
    missing = [p for p in packages if not (root / p.rsplit("@", 1)[0]).is_dir()]
    if not missing:
        return root
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError(
            "the real-page corpus needs npm for " + ", ".join(missing) + "; install Node.js "
            "(apt-get install npm) or run the bench with --sites limited to committed sites"
        )
    (CACHE / "npm").mkdir(parents=True, exist_ok=True)
    cmd = [npm, "install", "--prefix", str(CACHE / "npm"), "--no-audit", "--no-fund", *missing]
    log.info("installing %s", " ".join(missing))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SetupError(f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-500:]}")
    return root


def build_govuk(out: Path | None = None) -> Path:
    """One page per GOV.UK component from the fixtures `govuk-frontend` ships; returns the folder.

    Fixture ids repeat across fixtures, so each fixture's ids (and the for / aria-* / href
    references to them) get a prefix, keeping every label tied to its own field.
    """
    root = ensure_npm()
    out = out or CACHE / "built" / "govuk"
    out.mkdir(parents=True, exist_ok=True)
    dist = root / "govuk-frontend" / "dist" / "govuk"
    for component in GOVUK_COMPONENTS:
        data = json.loads((dist / "components" / component / "fixtures.json").read_text())
        shown, names = [], set()
        for f in data["fixtures"]:
            words = _visible_names(f["html"])
            if f.get("hidden") or words & names or len(shown) >= GOVUK_FIXTURES_PER_PAGE:
                continue
            shown.append(f)
            names |= words
        body = "\n".join(
            f'<div class="govuk-!-margin-bottom-6">{_prefix_ids(f["html"], f"f{i}-")}</div>'
            for i, f in enumerate(shown)
        )
        (out / f"{component}.html").write_text(
            _GOVUK_PAGE.format(title=data["component"], body=body), encoding="utf-8"
        )
    return out


_GOVUK_PAGE = """<!doctype html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8">
<title>{title} - GOV.UK Frontend</title>
<link rel="stylesheet" href="/npm/govuk-frontend/dist/govuk/govuk-frontend.min.css">
</head>
<body class="govuk-template__body">
<script>document.body.className += ' js-enabled govuk-frontend-supported';</script>
<div class="govuk-width-container"><main class="govuk-main-wrapper">
{body}
</main></div>
<script type="module">
import {{ initAll }} from '/npm/govuk-frontend/dist/govuk/govuk-frontend.min.js'
initAll()
</script>
</body></html>
"""
_NAMED = re.compile(r"<(label|legend|button|a)\b[^>]*>(.*?)</\1>", re.S)


def _visible_names(html: str) -> set[str]:
    """The texts of a fixture's labels, legends, buttons and links: fixtures that repeat one
    would leave an instruction unable to say which element it means."""
    return {
        " ".join(re.sub(r"<[^>]+>", " ", m.group(2)).split()).lower() for m in _NAMED.finditer(html)
    } - {""}


_ID_ATTRS = re.compile(r'\b(id|for|aria-describedby|aria-labelledby|aria-controls)="([^"]*)"')
_HREF_HASH = re.compile(r'href="#([^"]+)"')


def _prefix_ids(html: str, prefix: str) -> str:
    html = _ID_ATTRS.sub(
        lambda m: f'{m.group(1)}="{" ".join(prefix + v for v in m.group(2).split())}"', html
    )
    return _HREF_HASH.sub(lambda m: f'href="#{prefix}{m.group(1)}"', html)


def prepare(sites: tuple[Site, ...]) -> None:
    """Install and build what `sites` need (npm packages, GOV.UK pages) into the cache."""
    if any(s.npm for s in sites):
        ensure_npm()
    if any(s.name == "govuk" for s in sites) and not (CACHE / "built" / "govuk").is_dir():
        build_govuk()


# -------------------------------------------------------------------------------- serving
class CorpusServer:
    """A loopback HTTP server for the corpus: /src/ (committed), /npm/ and /built/ (cache)."""

    def __init__(self) -> None:
        roots = {"/src/": SOURCES, "/npm/": npm_root(), "/built/": CACHE / "built"}

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                path = path.split("?", 1)[0].split("#", 1)[0]
                for prefix, root in roots.items():
                    if path.startswith(prefix):
                        return str(root / path[len(prefix) :])
                return str(SOURCES / "missing")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> CorpusServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------- frames
@dataclass(frozen=True)
class RealFrame:
    """A 1280x720 screenshot of a page at one scroll offset and theme, with its targets."""

    image: np.ndarray
    targets: tuple[RealTarget, ...]
    site: str
    page: str
    scroll: int
    theme: str


def render_site(
    s: Site,
    server: CorpusServer,
    themes: tuple[str, ...] = ("light", "dark"),
    max_frames: int = MAX_FRAMES,
) -> Iterator[RealFrame]:
    """Frames of every page of site `s` at 1280x720, in each theme: the top of the page, then
    scrolled to the controls (fields, boxes, menus: not links) no frame has shown yet; each
    element is counted on the first frame that shows it whole."""
    from envs.browser.pool import shared_pool

    pool = shared_pool().acquire()
    handle = pool.new_page(*VIEWPORT)
    page = handle.page
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(server.url) else route.abort()
        ),
    )
    try:
        for path in s.pages:
            for theme in themes:
                page.goto(server.url + path, wait_until="load")
                if theme == "dark":
                    page.add_style_tag(content=DARK_CSS)
                page.wait_for_timeout(150)
                tops = sorted(page.evaluate(CONTROL_TOPS_JS))
                seen: set[tuple[str, str]] = set()
                shown: set[int] = set()
                y = 0
                for _ in range(max_frames):
                    page.evaluate(f"window.scrollTo(0, {y})")
                    page.wait_for_timeout(60)
                    scroll = int(page.evaluate("window.scrollY"))
                    if scroll in shown:
                        break  # the page cannot scroll further: this frame was shown already
                    shown.add(scroll)
                    targets = [
                        t for t in dedupe_targets(page.evaluate(TARGETS_JS))
                        if (t.kind, t.name) not in seen
                    ]  # fmt: skip
                    seen.update((t.kind, t.name) for t in targets)
                    image = handle.screenshot()
                    yield RealFrame(image, tuple(targets), s.name, path, scroll, theme)
                    below = [t for t, b in tops if b > scroll + VIEWPORT[1] and t > scroll]
                    if not below:
                        break
                    y = int(below[0]) - 60
    finally:
        handle.close()
        pool.release()


@functools.cache
def available_sites() -> tuple[str, ...]:
    """Sites whose pages need nothing outside the repository (tests use only these)."""
    return tuple(s.name for s in SITES if not s.npm)


__all__ = [
    "CACHE",
    "HELD_OUT_SITES",
    "SITES",
    "CorpusServer",
    "RealFrame",
    "RealTarget",
    "Site",
    "available_sites",
    "build_govuk",
    "ensure_npm",
    "prepare",
    "render_site",
    "site",
]
