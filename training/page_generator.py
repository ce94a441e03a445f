"""Generated web pages for the screen detector: seeded HTML in many themes, fonts and languages.

A page is a template (the layout recipe: a login form, an inbox, a shop grid...) filled with
widgets whose look varies with a `PageStyle` (light/dark/colourful theme, accent hue, font,
font size, density, corner radius, widget variants) and whose words come from one of nine
languages, Latin and not. Templates are split into train and held-out sets so the detector is
scored on layouts it never saw. Pure string building: no browser here.
"""

from __future__ import annotations

import colorsys
import html
import random
from collections.abc import Callable
from dataclasses import dataclass

from training.page_vocabulary import (
    CJK_LANGUAGES,
    GLYPHS,
    ICONS,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    TEXT_WORDS,
    UI_WORDS,
)

FONTS = (
    "DejaVu Sans",
    "DejaVu Serif",
    "DejaVu Sans Mono",
    "Nimbus Sans",
    "Nimbus Roman",
    "Nimbus Sans Narrow",
    "URW Gothic",
    "URW Bookman",
    "C059",
    "P052",
    "WenQuanYi Micro Hei",
)
VIEWPORTS = ((1280, 720), (1280, 720), (1280, 720), (1024, 768), (800, 600), (412, 780))
SCALES = (0.75, 1.0, 1.0, 1.25, 1.5)


@dataclass(frozen=True)
class PageStyle:
    """How one generated page looks: theme colours, type, spacing and widget variants."""

    theme: str
    bg: str
    surface: str
    fg: str
    muted: str
    accent: str
    accent_fg: str
    border: str
    link: str
    font: str
    font_px: int
    density: float
    radius: int
    button_variant: int
    tab_variant: int
    custom_checks: bool
    lang: str


@dataclass(frozen=True)
class GeneratedPage:
    """One page to render: its HTML, viewport (CSS px), device scale and provenance."""

    html: str
    width: int
    height: int
    scale: float
    template: str
    seed: int
    style: PageStyle


def _hsl(h: float, s: float, lum: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, lum, s)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def random_style(rng: random.Random, theme: str | None = None) -> PageStyle:
    """A random but readable look; `theme` forces light, dark or colourful."""
    theme = theme or rng.choice(("light", "light", "dark", "colourful"))
    hue = rng.random()
    if theme == "light":
        bg, surface = _hsl(hue, 0.1, rng.uniform(0.96, 1.0)), _hsl(hue, 0.15, 0.93)
        fg, muted, border = _hsl(hue, 0.1, 0.12), _hsl(hue, 0.05, 0.42), _hsl(hue, 0.05, 0.75)
        accent, link = _hsl(hue, 0.65, 0.45), _hsl(rng.choice((0.6, 0.62, hue)), 0.8, 0.4)
    elif theme == "dark":
        bg, surface = _hsl(hue, 0.1, rng.uniform(0.07, 0.16)), _hsl(hue, 0.1, 0.2)
        fg, muted, border = _hsl(hue, 0.05, 0.9), _hsl(hue, 0.05, 0.65), _hsl(hue, 0.05, 0.35)
        accent, link = _hsl(hue, 0.6, 0.6), _hsl(rng.choice((0.58, hue)), 0.8, 0.72)
    else:
        bg, surface = _hsl(hue, 0.6, rng.uniform(0.8, 0.9)), _hsl(hue + 0.1, 0.5, 0.95)
        fg, muted, border = _hsl(hue, 0.5, 0.12), _hsl(hue, 0.3, 0.3), _hsl(hue, 0.4, 0.55)
        accent, link = _hsl(hue + 0.5, 0.7, 0.4), _hsl(hue + 0.33, 0.9, 0.3)
    accent_fg = "#ffffff" if theme != "dark" else "#101010"
    lang = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
    font = (
        "WenQuanYi Micro Hei" if lang in CJK_LANGUAGES and rng.random() < 0.5 else rng.choice(FONTS)
    )
    return PageStyle(
        theme=theme,
        bg=bg,
        surface=surface,
        fg=fg,
        muted=muted,
        accent=accent,
        accent_fg=accent_fg,
        border=border,
        link=link,
        font=font,
        font_px=rng.choice((11, 12, 13, 14, 14, 15, 16, 16, 18, 20)),
        density=rng.uniform(0.5, 1.6),
        radius=rng.choice((0, 2, 4, 6, 10, 16)),
        button_variant=rng.randrange(4),
        tab_variant=rng.randrange(3),
        custom_checks=rng.random() < 0.35,
        lang=lang,
    )


def _css(s: PageStyle) -> str:
    pad = max(2, round(6 * s.density))
    btn = (
        f"background:{s.accent};color:{s.accent_fg};border:1px solid {s.accent}",
        f"background:{s.surface};color:{s.fg};border:1px solid {s.border}",
        f"background:transparent;color:{s.accent};border:2px solid {s.accent}",
        f"background:linear-gradient({s.surface},{s.border});color:{s.fg};"
        f"border:1px solid {s.border}",
    )[s.button_variant]
    tab = (
        f"border:none;border-bottom:3px solid transparent;background:none;color:{s.muted}",
        f"border:1px solid {s.border};border-bottom:none;background:{s.surface};color:{s.fg}",
        f"border:none;border-radius:999px;background:{s.surface};color:{s.fg}",
    )[s.tab_variant]
    return f"""
body{{margin:0;background:{s.bg};color:{s.fg};font:{s.font_px}px/{1.2 + 0.4 * s.density:.2f}
 '{s.font}',sans-serif}}
.wrap{{padding:{pad * 2}px;display:flex;flex-direction:column;gap:{pad * 2}px}}
.row{{display:flex;flex-wrap:wrap;gap:{pad * 2}px;align-items:center}}
.card{{background:{s.surface};border:1px solid {s.border};border-radius:{s.radius}px;
 padding:{pad * 2}px;display:flex;flex-direction:column;gap:{pad}px}}
.nav{{display:flex;gap:{pad * 3}px;align-items:center;padding:{pad * 2}px;background:{s.surface};
 border-bottom:1px solid {s.border}}}
.side{{display:flex;flex-direction:column;gap:{pad}px;padding:{pad * 2}px;min-width:140px;
 background:{s.surface}}}
.muted{{color:{s.muted};font-size:0.85em}}
h1{{font-size:1.6em;margin:0}} h2{{font-size:1.3em;margin:0}} h3{{font-size:1.1em;margin:0}}
p{{margin:0;max-width:60em}}
a{{color:{s.link}}}
.btn{{{btn};border-radius:{s.radius}px;padding:{pad}px {pad * 2}px;font:inherit;cursor:pointer}}
input,select,textarea{{font:inherit;color:{s.fg};background:{s.bg};border:1px solid {s.border};
 border-radius:{min(s.radius, 6)}px;padding:{pad // 2 + 2}px {pad}px}}
[role=tablist]{{display:flex;gap:{pad}px;border-bottom:1px solid {s.border}}}
[role=tab]{{{tab};padding:{pad}px {pad * 2}px;font:inherit;cursor:pointer}}
[role=tab][aria-selected=true]{{color:{s.accent};border-bottom-color:{s.accent};font-weight:bold}}
.cb{{display:inline-block;width:1em;height:1em;border:2px solid {s.accent};
 border-radius:{min(s.radius, 4)}px;vertical-align:middle;text-align:center;line-height:1em;
 color:{s.accent_fg}}}
.cb[aria-checked=true]{{background:{s.accent}}}
.cb.round{{border-radius:50%}}
.sw{{display:inline-block;width:2.2em;height:1.2em;border-radius:1em;background:{s.border};
 vertical-align:middle;position:relative}}
.sw[aria-checked=true]{{background:{s.accent}}}
[role=listbox],[role=menu]{{display:flex;flex-direction:column;background:{s.surface};
 border:1px solid {s.border};box-shadow:0 2px 8px #0004;border-radius:{s.radius}px;
 min-width:10em;padding:2px 0}}
[role=option],[role=menuitem]{{padding:{pad // 2 + 2}px {pad * 2}px}}
[role=option][aria-selected=true]{{background:{s.accent};color:{s.accent_fg}}}
.icon{{display:inline-block;color:{s.muted};font-style:normal}}
svg.icon{{width:1.3em;height:1.3em;fill:none;stroke:currentColor;stroke-width:2;
 vertical-align:middle}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid {s.border};
 padding:{pad // 2 + 1}px {pad}px;text-align:start}}
.badge{{background:{s.surface};border:1px solid {s.border};border-radius:999px;padding:0 {pad}px}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:{pad * 2}px}}
"""


class _Page:
    """Widget builders bound to one style and one random stream."""

    def __init__(self, rng: random.Random, style: PageStyle) -> None:
        self.rng, self.s = rng, style
        self._words = TEXT_WORDS[style.lang].split()
        self._ui = UI_WORDS[style.lang].split()

    # words -------------------------------------------------------------------------
    def words(self, lo: int = 1, hi: int = 3) -> str:
        n = self.rng.randint(lo, hi)
        glue = "" if self.s.lang in CJK_LANGUAGES else " "
        text = glue.join(self.rng.choice(self._words) for _ in range(n))
        return html.escape(text[:1].upper() + text[1:])

    def label(self) -> str:
        return html.escape(self.rng.choice(self._ui))

    def number(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return f"${self.rng.randint(1, 999)}.{self.rng.randint(0, 99):02d}"
        if r < 0.6:
            return (
                f"{self.rng.randint(1, 28)}/{self.rng.randint(1, 12)}/20{self.rng.randint(10, 30)}"
            )
        return str(self.rng.randint(0, 99999))

    # widgets -----------------------------------------------------------------------
    def icon(self) -> str:
        if self.rng.random() < 0.7:
            return f'<svg class="icon" viewBox="0 0 24 24">{self.rng.choice(ICONS)}</svg>'
        return f'<span class="icon">{self.rng.choice(GLYPHS)}</span>'

    def button(self, text: str | None = None) -> str:
        text = text or self.label()
        r = self.rng.random()
        if r < 0.15:
            return f'<input type="submit" class="btn" value="{text}">'
        if r < 0.25:
            return f'<a href="#" role="button" class="btn">{text}</a>'
        if r < 0.35:
            return f'<button class="btn">{self.icon()} {text}</button>'
        if r < 0.42:
            return f'<button class="btn" aria-label="{text}">{self.icon()}</button>'
        return f'<button class="btn">{text}</button>'

    def text_input(self, wide: bool = False) -> str:
        r = self.rng.random()
        width = self.rng.randint(14, 40) if wide else self.rng.randint(6, 22)
        ph = f' placeholder="{self.words(1, 2)}"' if self.rng.random() < 0.6 else ""
        val = f' value="{self.words(1, 2)}"' if self.rng.random() < 0.3 else ""
        if r < 0.1:
            return f'<textarea rows="{self.rng.randint(2, 4)}" cols="{width}"{ph}></textarea>'
        kind = self.rng.choice(("text", "text", "email", "password", "search", "number", "date"))
        return f'<input type="{kind}" size="{width}"{ph}{val}>'

    def field(self) -> str:
        inner = f"<label>{self.words(1, 2)}</label> {self.text_input(self.rng.random() < 0.5)}"
        if self.rng.random() < 0.5:
            return f'<div class="row">{inner}</div>'
        return f'<div style="display:flex;flex-direction:column;gap:2px">{inner}</div>'

    def check(self, radio: bool = False, name: str = "g") -> str:
        checked = self.rng.random() < 0.4
        text = self.words(1, 3)
        if self.s.custom_checks:
            role = "radio" if radio else self.rng.choice(("checkbox", "checkbox", "switch"))
            cls = "sw" if role == "switch" else ("cb round" if radio else "cb")
            mark = "✓" if checked and role == "checkbox" else ""
            state = str(checked).lower()
            box = f'<span role="{role}" class="{cls}" aria-checked="{state}">{mark}</span>'
            return f"<label>{box} {text}</label>"
        kind = "radio" if radio else "checkbox"
        on = " checked" if checked else ""
        return f'<label><input type="{kind}" name="{name}"{on}> {text}</label>'

    def link(self) -> str:
        return f'<a href="#">{self.words(1, 3)}</a>'

    def paragraph(self, links: float = 0.1) -> str:
        parts = []
        for _ in range(self.rng.randint(6, 30)):
            parts.append(self.link() if self.rng.random() < links else self.words(1, 1))
        glue = "" if self.s.lang in CJK_LANGUAGES else " "
        return f"<p>{glue.join(parts)}.</p>"

    def tabs(self) -> str:
        n = self.rng.randint(2, 6)
        sel = self.rng.randrange(n)
        items = "".join(
            f'<button role="tab" aria-selected="{str(i == sel).lower()}">'
            f"{self.words(1, 2)}</button>"
            for i in range(n)
        )
        return f'<div role="tablist">{items}</div>'

    def select(self) -> str:
        opts = "".join(
            f"<option>{self.words(1, 2)}</option>" for _ in range(self.rng.randint(2, 6))
        )
        if self.rng.random() < 0.2:
            return f'<select size="{self.rng.randint(3, 5)}">{opts}</select>'
        return f"<select>{opts}</select>"

    def listbox(self) -> str:
        role, item = self.rng.choice((("listbox", "option"), ("menu", "menuitem")))
        n, sel = self.rng.randint(3, 7), self.rng.randrange(8)
        items = "".join(
            f'<div role="{item}" aria-selected="{str(i == sel).lower()}">{self.words(1, 2)}</div>'
            for i in range(n)
        )
        return f'<div role="{role}" style="align-self:flex-start">{items}</div>'

    def table(self) -> str:
        cols = self.rng.randint(2, 5)
        head = "".join(f"<th>{self.words(1, 1)}</th>" for _ in range(cols))
        rows = []
        for _ in range(self.rng.randint(2, 7)):
            cells = []
            for c in range(cols):
                r = self.rng.random()
                if c == 0 and r < 0.3:
                    cells.append(f'<input type="checkbox"> {self.words(1, 2)}')
                elif r < 0.15:
                    cells.append(self.link())
                elif r < 0.25:
                    cells.append(self.icon())
                elif r < 0.5:
                    cells.append(self.number())
                else:
                    cells.append(self.words(1, 2))
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>"

    def navbar(self) -> str:
        items = [f"<b>{self.words(1, 1)}</b>"]
        items += [self.link() for _ in range(self.rng.randint(2, 6))]
        if self.rng.random() < 0.5:
            items.append(f'<input type="search" placeholder="{self.label()}">')
        items += [self.icon() for _ in range(self.rng.randint(0, 3))]
        return f'<div class="nav">{"".join(items)}</div>'

    def sidebar(self) -> str:
        items = [f"<div>{self.icon()} {self.link()}</div>" for _ in range(self.rng.randint(3, 9))]
        return f'<div class="side">{"".join(items)}</div>'

    def card(self, body: str) -> str:
        return f'<div class="card"><h3>{self.words(1, 3)}</h3>{body}</div>'

    def buttons(self, lo: int = 1, hi: int = 3) -> str:
        row = "".join(self.button() for _ in range(self.rng.randint(lo, hi)))
        return f'<div class="row">{row}</div>'


def _login(p: _Page) -> str:
    body = p.field() + p.field() + p.check() + p.buttons(1, 2) + p.link()
    return (
        p.navbar() + f'<div class="wrap" style="max-width:420px;margin:auto">{p.card(body)}</div>'
    )


def _search(p: _Page) -> str:
    hits = "".join(
        f'<div>{p.link()}<div class="muted">{p.words(3, 8)}</div>{p.paragraph(0.05)}</div>'
        for _ in range(p.rng.randint(3, 7))
    )
    bar = f'<div class="row">{p.text_input(True)}{p.button()}{p.select()}</div>'
    return p.navbar() + f'<div class="wrap">{bar}{p.tabs()}{hits}</div>'


def _settings(p: _Page) -> str:
    group = "".join(p.check(radio=False) for _ in range(p.rng.randint(2, 5)))
    radios = "".join(p.check(radio=True, name="r") for _ in range(p.rng.randint(2, 4)))
    body = p.card(group) + p.card(radios + p.select()) + p.card(p.field() + p.buttons())
    return f'<div style="display:flex">{p.sidebar()}<div class="wrap">{p.tabs()}{body}</div></div>'


def _inbox(p: _Page) -> str:
    rows = "".join(
        f'<div class="row"><input type="checkbox">{p.icon()}<b>{p.words(1, 2)}</b>'
        f'<span>{p.words(2, 6)}</span><span class="muted">{p.number()}</span>{p.icon()}</div>'
        for _ in range(p.rng.randint(4, 10))
    )
    tools = f'<div class="row">{p.button()}{p.button()}{p.icon()}{p.icon()}</div>'
    return (
        p.navbar()
        + f'<div style="display:flex">{p.sidebar()}<div class="wrap">{tools}{rows}</div></div>'
    )


def _shop(p: _Page) -> str:
    cards = "".join(
        p.card(f'<div class="muted">{p.words(2, 5)}</div><b>{p.number()}</b>{p.button()}')
        for _ in range(p.rng.randint(3, 8))
    )
    filters = f'<div class="row">{p.select()}{p.check()}{p.check()}{p.link()}</div>'
    return p.navbar() + f'<div class="wrap">{filters}<div class="grid">{cards}</div></div>'


def _article(p: _Page) -> str:
    paras = "".join(p.paragraph(0.12) for _ in range(p.rng.randint(2, 5)))
    return p.navbar() + f'<div class="wrap"><h1>{p.words(2, 6)}</h1>{paras}{p.buttons(1, 2)}</div>'


def _dashboard(p: _Page) -> str:
    stats = "".join(p.card(f"<h2>{p.number()}</h2>{p.link()}") for _ in range(p.rng.randint(2, 4)))
    return (
        f'<div style="display:flex">{p.sidebar()}<div class="wrap">{p.navbar()}'
        f'<div class="row">{stats}</div>{p.tabs()}{p.table()}</div></div>'
    )


def _survey(p: _Page) -> str:
    qs = []
    for i in range(p.rng.randint(2, 4)):
        opts = "".join(p.check(radio=True, name=f"q{i}") for _ in range(p.rng.randint(2, 4)))
        qs.append(f"<div><b>{i + 1}. {p.words(3, 7)}?</b><div class='row'>{opts}</div></div>")
    return f'<div class="wrap">{"".join(qs)}{p.field()}{p.select()}{p.buttons(1, 2)}</div>'


def _chat(p: _Page) -> str:
    msgs = "".join(
        f'<div class="row">{p.icon()}<div class="card" style="padding:4px 8px">{p.words(2, 10)}'
        f'<span class="muted">{p.number()}</span></div></div>'
        for _ in range(p.rng.randint(3, 8))
    )
    box = f'<div class="row">{p.text_input(True)}{p.button()}{p.icon()}</div>'
    return f'<div style="display:flex">{p.sidebar()}<div class="wrap">{msgs}{box}</div></div>'


def _files(p: _Page) -> str:
    return p.navbar() + f'<div class="wrap">{p.buttons(2, 4)}{p.table()}{p.listbox()}</div>'


def _profile(p: _Page) -> str:
    fields = "".join(p.field() for _ in range(p.rng.randint(2, 5)))
    return (
        p.navbar() + f'<div class="wrap">{p.tabs()}{p.card(fields + p.select())}{p.buttons()}</div>'
    )


def _checkout(p: _Page) -> str:
    items = p.table()
    form = p.card(p.field() + p.field() + p.check(True, "pay") + p.check(True, "pay") + p.select())
    return (
        p.navbar()
        + f'<div class="wrap"><div class="row">{items}{form}</div>{p.buttons(1, 2)}</div>'
    )


def _admin(p: _Page) -> str:
    tools = f'<div class="row">{p.text_input()}{p.select()}{p.button()}{p.icon()}</div>'
    body = f'<div class="wrap">{tools}{p.table()}{p.table()}</div>'
    return f'<div style="display:flex">{p.sidebar()}{body}</div>'


def _docs(p: _Page) -> str:
    body = "".join(
        f"<h2>{p.words(1, 4)}</h2>{p.paragraph(0.15)}" for _ in range(p.rng.randint(2, 4))
    )
    return (
        p.navbar()
        + f'<div style="display:flex">{p.sidebar()}<div class="wrap">{p.tabs()}{body}</div></div>'
    )


def _dialog(p: _Page) -> str:
    under = _article(p)
    dlg = p.card(p.paragraph(0.0) + p.check() + p.buttons(2, 2))
    return (
        f'{under}<div style="position:fixed;inset:0;background:#0008"></div>'
        f'<div style="position:fixed;top:20%;left:25%;width:50%">{dlg}</div>'
    )


TEMPLATES: dict[str, Callable[[_Page], str]] = {
    "login": _login,
    "search": _search,
    "settings": _settings,
    "inbox": _inbox,
    "shop": _shop,
    "article": _article,
    "dashboard": _dashboard,
    "survey": _survey,
    "chat": _chat,
    "files": _files,
    "profile": _profile,
    "dialog": _dialog,
    "checkout": _checkout,
    "admin": _admin,
    "docs": _docs,
}
TEST_TEMPLATES: tuple[str, ...] = ("checkout", "admin", "docs")
TRAIN_TEMPLATES: tuple[str, ...] = tuple(t for t in TEMPLATES if t not in TEST_TEMPLATES)


def generate_page(template: str, seed: int, theme: str | None = None) -> GeneratedPage:
    """The page `template` draws for `seed`: same arguments, same HTML, viewport and scale."""
    rng = random.Random(f"{template}:{seed}")
    style = random_style(rng, theme)
    page = _Page(rng, style)
    body = TEMPLATES[template](page)
    direction = ' dir="rtl"' if style.lang == "ar" else ""
    doc = (
        f'<!doctype html><html lang="{style.lang}"{direction}><head><meta charset="utf-8">'
        f"<style>{_css(style)}</style></head><body>{body}</body></html>"
    )
    width, height = rng.choice(VIEWPORTS)
    return GeneratedPage(doc, width, height, rng.choice(SCALES), template, seed, style)
