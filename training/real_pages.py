"""Real public web pages, rendered locally, with every interactive element labelled from the DOM.

The corpus is real static HTML from public design systems and examples: the W3C ARIA Authoring
Practices examples, Bootstrap's sign-in and checkout examples, Pico's preview pages and the
water.css / simple.css demo pages (all committed under `benchmarks/data/real_pages/`), and the
GOV.UK Frontend component fixtures that the `govuk-frontend` npm package ships (built into a
gitignored cache). A loopback HTTP server serves them; pages that need a package's CSS take it
from `npm install` into the cache. Nothing reaches the network while pages render.

Labels (each element's kind, shown name and the boxes a click may land in) come from the
DOM here, at benchmark or training time only: the grounder sees the screenshot.
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

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "benchmarks" / "data" / "real_pages"
CACHE = REPO / ".cache" / "real_pages"
# The npm packages the corpus takes CSS, JS or fixtures from, pinned to the majors it was made on.
NPM_PACKAGES = (
    "govuk-frontend@5", "bootstrap@5.3", "@picocss/pico@2", "mvp.css@1", "@exampledev/new.css@1",
    "milligram@1", "chota@0.9", "sakura.css@1", "bamboo.css@1",
)  # fmt: skip
# The classless looks the "classless" site's two pages are rendered in (theme.js reads ?css=).
CLASSLESS_LOOKS = ("mvp", "new", "milligram", "chota", "sakura-dark", "bamboo-dark")
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
        "bootstrap", ("/src/bootstrap/sign-in.html", "/src/bootstrap/checkout.html"), ("bootstrap",)
    ),
    Site("pico", ("/src/pico/preview.html", "/src/pico/sign-in-v1.html"), ("@picocss/pico",)),
    Site(
        "classless",
        tuple(
            f"/src/classless/{page}.html?css={look}"
            for look in CLASSLESS_LOOKS
            for page in ("signup", "settings")
        ),
        ("mvp.css", "@exampledev/new.css", "milligram", "chota", "sakura.css", "bamboo.css"),
    ),
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


# ------------------------------------------------------------------------------- labelling
@dataclass(frozen=True)
class RealTarget:
    """An interactive element on a frame: kind, accessible name, its own box and every box a
    click may land in to act on it (a checkbox's label toggles it), in frame pixels."""

    kind: str
    name: str
    box: tuple[float, float, float, float]
    hit: tuple[tuple[float, float, float, float], ...]

    def contains(self, x: float, y: float) -> bool:
        """Whether a click at (x, y) lands on this element (or what acts for it)."""
        return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in self.hit)


@dataclass(frozen=True)
class RealFrame:
    """A 1280x720 screenshot of a page at one scroll offset and theme, with its targets."""

    image: np.ndarray
    targets: tuple[RealTarget, ...]
    site: str
    page: str
    scroll: int
    theme: str


# Returns [{kind, name, box, hit}] for elements wholly inside the viewport, in CSS pixels.
TARGETS_JS = r"""() => {
  const TEXT = new Set(['text', 'email', 'search', 'tel', 'url', 'number', '']);
  const DATE = new Set(['date', 'month', 'week', 'time', 'datetime-local']);
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const textOf = (el) => clean(el.innerText || el.textContent);
  // The words a person sees: text whose element is not clipped to a pixel or two (GOV.UK's
  // "visually hidden" text is read by screen readers only: "Change <hidden>date of birth</>").
  const shownText = (el) => {
    const parts = [];
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const p = n.parentElement, r = p ? p.getBoundingClientRect() : null;
      if (!r || r.width <= 2 || r.height <= 2) continue;
      const cs = getComputedStyle(p);
      if (cs.visibility === 'hidden' || cs.display === 'none') continue;
      parts.push(n.textContent);
    }
    return clean(parts.join(''));
  };
  const byIds = (ids) => clean(ids.split(/\s+/).map((i) => {
    const r = document.getElementById(i); return r ? textOf(r) : ''; }).join(' '));
  const kindOf = (el) => {
    const tag = el.tagName.toLowerCase(), role = (el.getAttribute('role') || '').toLowerCase();
    if (tag === 'input') {
      const t = (el.getAttribute('type') || '').toLowerCase();
      if (t === 'hidden' || t === 'file' || t === 'color' || t === 'image') return null;
      if (t === 'checkbox') return role === 'switch' ? 'checkbox' : 'checkbox';
      if (t === 'radio') return 'radio';
      if (t === 'password') return 'password';
      if (t === 'range') return 'slider';
      if (DATE.has(t)) return 'date_field';
      if (t === 'submit' || t === 'button' || t === 'reset') return 'button';
      if (TEXT.has(t)) return 'text_field';
      return null;
    }
    if (tag === 'textarea') return 'text_area';
    if (tag === 'select') return (el.multiple || el.size > 1) ? null : 'dropdown';
    if (role === 'combobox') return el.isContentEditable ? 'text_field' : 'dropdown';
    if (role === 'checkbox' || role === 'switch' || role === 'menuitemcheckbox') return
      role === 'menuitemcheckbox' ? 'menu_item' : 'checkbox';
    if (role === 'radio') return 'radio';
    if (role === 'menuitemradio' || role === 'menuitem') return 'menu_item';
    if (role === 'option') return 'list_option';
    if (role === 'tab') return 'tab';
    if (role === 'slider') return 'slider';
    if (role === 'textbox' || role === 'searchbox') return 'text_field';
    if (tag === 'button' || role === 'button' || tag === 'summary') {
      const words = textOf(el);
      const pic = el.querySelector('svg, img');
      return (!words && pic) ? 'icon_button' : 'button';
    }
    if ((tag === 'a' && el.hasAttribute('href')) || role === 'link') return 'link';
    return null;
  };
  const labelsOf = (el) => {
    const out = el.labels ? Array.from(el.labels) : [];
    const wrap = el.closest('label'); if (wrap && !out.includes(wrap)) out.push(wrap);
    return out;
  };
  // Named as a person would: by the words shown on it (a pagination link showing "2", not its
  // aria-label "Page 2"), else its label's shown words, else the accessible name.
  const nameOf = (el, kind) => {
    const valued = ['text_field', 'password', 'date_field', 'text_area', 'dropdown', 'slider'];
    if (!valued.includes(kind)) { const t = shownText(el); if (t) return t; }
    const labs = labelsOf(el).map(shownText).filter(Boolean); if (labs.length) return labs[0];
    const by = el.getAttribute('aria-labelledby'); if (by) { const t = byIds(by); if (t) return t; }
    const al = clean(el.getAttribute('aria-label')); if (al) return al;
    const tag = el.tagName.toLowerCase();
    if (tag === 'input' && ['submit', 'button', 'reset'].includes(el.type)) return clean(el.value);
    if (['text_field', 'password', 'date_field', 'text_area'].includes(kind)) {
      const ph = clean(el.getAttribute('placeholder')); if (ph) return ph;
    }
    if (!valued.includes(kind)) {
      const t = textOf(el); if (t) return t;
    }
    const img = el.querySelector && el.querySelector('img[alt]');
    if (img && clean(img.alt)) return clean(img.alt);
    return clean(el.getAttribute('title'));
  };
  const R = (r) => [r.left, r.top, r.right, r.bottom];
  const W = innerWidth, H = innerHeight;
  const inView = (r) => r[0] >= 0 && r[1] >= 0 && r[2] <= W && r[3] <= H;
  const shows = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    }
    return true;
  };
  const out = [];
  for (const el of document.querySelectorAll('*')) {
    if (el.closest('pre, code, [aria-hidden=true], [inert]')) continue;
    const kind = kindOf(el); if (!kind || !shows(el)) continue;
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') continue;
    const r = R(el.getBoundingClientRect());
    const labs = labelsOf(el).filter(shows).map((l) => R(l.getBoundingClientRect()));
    const toggles = kind === 'checkbox' || kind === 'radio';
    // A styled box hides the real input (opacity 0, or clipped to a pixel): the label that
    // toggles it is then what shows, so it is where the box must be hit.
    const tiny = r[2] - r[0] < 4 || r[3] - r[1] < 4;
    if (tiny && !(toggles && labs.length)) continue;
    const hit = (tiny ? [] : [r]).concat(toggles ? labs : []);
    if (!hit.length || !hit.every(inView)) continue;
    const c = tiny ? hit[0] : r;
    const probe = document.elementFromPoint((c[0] + c[2]) / 2, (c[1] + c[3]) / 2);
    const covered = !probe || !(probe === el || el.contains(probe) || probe.contains(el) ||
      labelsOf(el).some((l) => l.contains(probe)));
    if (covered) continue;
    const name = nameOf(el, kind);
    if (!name || name.length > 60) continue;
    out.push({kind, name, box: tiny ? hit[0] : r, hit});
  }
  return out;
}"""

# Page-y of the top and bottom of each control that is not a link, so frames can scroll to them.
CONTROL_TOPS_JS = r"""() => Array.from(document.querySelectorAll(
  'input:not([type=hidden]), select, textarea, button, [role=checkbox], [role=radio], ' +
  '[role=switch], [role=tab], [role=menuitem], [role=option], [role=slider], [role=combobox]'))
  .filter((e) => !e.closest('pre, code') && e.getClientRects().length)
  .map((e) => [e.getBoundingClientRect().top + window.scrollY,
                e.getBoundingClientRect().bottom + window.scrollY])"""

# A dark re-theme of any page: dark surfaces, light text, visible borders (the look a site's
# dark mode gives), applied after load; `:root:root` outranks a page's own !important classes.
DARK_CSS = """
:root:root, :root:root body { background: #1b1c1f !important; color: #e4e4e4 !important; }
:root:root body *:not(svg):not(svg *):not(img) { background-color: transparent !important;
  color: #e4e4e4 !important; border-color: #77797f !important; }
:root:root body *::before, :root:root body *::after { border-color: #c8c8c8 !important; }
:root:root input, :root:root textarea, :root:root select, :root:root [role=combobox],
:root:root [role=textbox], :root:root [role=slider] {
  background-color: #2a2c31 !important; border-color: #8b8e96 !important; }
:root:root button, :root:root [role=button], :root:root input[type=submit],
:root:root input[type=button], :root:root .btn, :root:root .govuk-button {
  background-color: #3b4a63 !important; color: #f2f2f2 !important; }
:root:root a, :root:root a * { color: #8ab4f8 !important; }
"""


def _dedupe(raw: list[dict[str, Any]]) -> list[RealTarget]:
    """Targets an instruction can name without doubt: a name used twice for one kind (two
    "Search" buttons) says nothing about which, so both go."""
    seen: dict[tuple[str, str], int] = {}
    for t in raw:
        key = (_kind_group(t["kind"]), t["name"].lower())
        seen[key] = seen.get(key, 0) + 1
    out = []
    for t in raw:
        if seen[(_kind_group(t["kind"]), t["name"].lower())] > 1:
            continue
        box = tuple(float(v) for v in t["box"])
        hit = tuple(tuple(float(v) for v in h) for h in t["hit"])
        out.append(RealTarget(t["kind"], t["name"], box, hit))
    return out


def _kind_group(kind: str) -> str:
    return "field" if kind in ("text_field", "password", "date_field", "text_area") else kind


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
                        t for t in _dedupe(page.evaluate(TARGETS_JS))
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
