"""What each interactive element of a rendered page is, read from its DOM: kind, shown name, boxes.

Run inside the page (Playwright `page.evaluate`) at benchmark or training time only; the
grounder sees the screenshot. Also the dark re-theme applied to any corpus page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
  // A closed <details> draws only its summary: its other content keeps a layout box in some
  // styles (a drop-down menu positioned absolutely) but is never painted.
  const shows = (el) => {
    const closed = el.closest('details:not([open])');
    if (closed && !el.closest('summary')) return false;
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
    // A styled box hides the real input (opacity 0, clipped to a pixel, or moved off the
    // page's side): the label that toggles it is then what shows, so it is where the box must
    // be hit.
    const tiny = r[2] - r[0] < 4 || r[3] - r[1] < 4 || r[2] <= 0 || r[0] >= W;
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
# dark mode gives), applied after load; `:root:root` outranks a page's own !important classes,
# and `:root:root:root` lets the fills of fields and buttons and the colour of links outrank
# the rule that clears every element (which, at (0,2,4), beat their (0,2,1) and left fields
# unfilled, buttons bare and links the colour of text).
DARK_CSS = """
:root:root, :root:root body { background: #1b1c1f !important; color: #e4e4e4 !important; }
:root:root body *:not(svg):not(svg *):not(img) { background-color: transparent !important;
  color: #e4e4e4 !important; border-color: #77797f !important; }
:root:root body *::before, :root:root body *::after { border-color: #c8c8c8 !important; }
:root:root:root input, :root:root:root textarea, :root:root:root select,
:root:root:root [role=combobox], :root:root:root [role=textbox], :root:root:root [role=slider] {
  background-color: #2a2c31 !important; border-color: #8b8e96 !important; }
:root:root:root button, :root:root:root [role=button], :root:root:root input[type=submit],
:root:root:root input[type=button], :root:root:root .btn, :root:root:root .govuk-button {
  background-color: #3b4a63 !important; color: #f2f2f2 !important; }
:root:root:root a, :root:root:root a * { color: #8ab4f8 !important; }
"""


def dedupe_targets(raw: list[dict[str, Any]]) -> list[RealTarget]:
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


__all__ = ["CONTROL_TOPS_JS", "DARK_CSS", "TARGETS_JS", "RealTarget", "dedupe_targets"]
