"""Element labels read from a live page's DOM: the supervision for the screen detector.

Runs only when data is generated (the parser at run time sees pixels only). One JavaScript
walk serves MiniWoB tasks and generated pages alike, so both get the same kinds: a kind comes
from the tag, the ARIA role or well-known classes; plain text is labelled per visual line
(words measured with DOM ranges and merged along the line); what cannot be labelled honestly
(big canvases and SVG drawings, half-visible or covered elements) becomes an ignore region
that training and scoring skip.
"""

from __future__ import annotations

from typing import Any

from perception.screen.kinds import LabelledBox, PageLabels

# Arguments: [clipX, clipY, clipW, clipH] in CSS pixels. Returns boxes in CSS pixels relative
# to the clip's corner.
LABEL_JS = r"""([cx, cy, cw, ch]) => {
  const TEXT_INPUTS = new Set(['text', 'password', 'email', 'search', 'number', 'date', 'time',
    'tel', 'url', 'datetime-local', 'month', 'week']);
  const BUTTON_INPUTS = new Set(['button', 'submit', 'reset', 'image', 'file', 'color']);
  const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
  const out = [], ignore = [];
  const clsOf = (el) => ' ' + (typeof el.className === 'string' ? el.className
    : (el.className && el.className.baseVal) || '') + ' ';
  const has = (c, ...names) => names.some((n) => c.includes(' ' + n + ' '));
  const kindOf = (el, cs) => {
    const tag = el.tagName.toLowerCase();
    const role = (el.getAttribute('role') || '').toLowerCase();
    const c = clsOf(el);
    if (role === 'tab' || has(c, 'ui-tabs-tab', 'tab')) return 'tab';
    if (tag === 'input') {
      const t = (el.getAttribute('type') || 'text').toLowerCase();
      if (t === 'checkbox' || t === 'radio') return 'checkbox';
      if (BUTTON_INPUTS.has(t)) return 'button';
      if (TEXT_INPUTS.has(t)) return 'text_input';
      return t === 'hidden' ? 'skip' : 'ignore';
    }
    if (tag === 'textarea' || role === 'textbox' || role === 'searchbox') return 'text_input';
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable))
      return 'text_input';
    if (tag === 'select') return (el.size > 1 || el.multiple) ? null : 'dropdown';
    if (tag === 'option') return 'dropdown';
    if (role === 'checkbox' || role === 'radio' || role === 'switch') return 'checkbox';
    if (role === 'option' || role === 'menuitem' || has(c, 'ui-menu-item')) return 'dropdown';
    if (role === 'combobox') return 'dropdown';
    if (tag === 'button' || role === 'button' || has(c, 'ui-button', 'btn', 'button',
        'ui-accordion-header', 'ui-spinner-button', 'ui-slider-handle')) return 'button';
    if (tag === 'a' && has(c, 'ui-state-default')) return 'button';  // datepicker days
    if ((tag === 'a' && el.hasAttribute('href')) || role === 'link' || has(c, 'alink', 'link'))
      return 'link';
    if (tag === 'img' || tag === 'svg' || tag === 'canvas' || role === 'img' ||
        has(c, 'icon', 'ui-icon', 'star', 'trash')) return 'icon';
    // A small picture drawn by CSS that the pointer may press: an icon without markup.
    const pseudo = getComputedStyle(el, '::before').content;
    const drawn = cs.backgroundImage !== 'none' || cs.content.startsWith('url(') ||
      cs.cursor === 'pointer' || (pseudo !== 'none' && pseudo !== 'normal' && pseudo !== '""');
    if (drawn && !el.children.length && !(el.textContent || '').trim()) {
      const r = el.getBoundingClientRect();
      if (r.width >= 6 && r.height >= 6 && r.width <= 48 && r.height <= 48) return 'icon';
    }
    return null;
  };
  const inter = (a, b) => [Math.max(a[0], b[0]), Math.max(a[1], b[1]),
                           Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  const area = (r) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const R = (r) => [r.left, r.top, r.right, r.bottom];
  const visibleAt = (el, r) => {
    const hit = document.elementFromPoint((r[0] + r[2]) / 2, (r[1] + r[3]) / 2);
    if (!hit) return false;
    if (hit === el || el.contains(hit)) return true;
    const lab = hit.closest && hit.closest('label');
    return !!(lab && lab.contains(el)) || (hit.contains(el) && hit.children.length === 0);
  };
  // Push a box clipped to `clip`; half-hidden or covered elements become ignore regions.
  const emit = (kind, r, clip, el, text) => {
    const full = area(r);
    if (full < 6 || r[2] - r[0] < 2 || r[3] - r[1] < 2) return;
    const v = inter(r, clip);
    const a = area(v);
    if (a <= 0) return;
    if (a < 0.6 * full || !visibleAt(el, v)) { ignore.push(v); return; }
    out.push({kind, box: v, text: text || ''});
  };
  const textOf = (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === 'input' || tag === 'textarea') return el.value || el.placeholder || '';
    if (tag === 'select') {
      const o = el.options[el.selectedIndex]; return o ? o.text : '';
    }
    return (el.innerText || '')
      .replace(/\s+/g, ' ').trim();
  };
  let lastText = null;  // the text line being grown; any other element breaks it
  const addWord = (r, word) => {
    const h = r[3] - r[1];
    if (lastText) {
      const b = lastText.box, lh = b[3] - b[1];
      const ov = Math.min(b[3], r[3]) - Math.max(b[1], r[1]);
      const gap = r[0] - b[2];
      if (ov > 0.6 * Math.min(h, lh) && gap > -2 && gap < 0.8 * Math.max(h, lh)) {
        const glue = (CJK.test(word[0]) && CJK.test(lastText.text.slice(-1))) ? '' : ' ';
        lastText.text += glue + word;
        lastText.box = [b[0], Math.min(b[1], r[1]), Math.max(b[2], r[2]), Math.max(b[3], r[3])];
        return;
      }
    }
    lastText = {kind: 'text', box: r, text: word};
    out.push(lastText);
  };
  const range = document.createRange();
  const walkText = (node, clip, parent) => {
    const s = node.textContent;
    const re = /\S+/g;
    let m;
    while ((m = re.exec(s)) !== null) {
      const pieces = (CJK.test(m[0]) && m[0].length > 1) ? Array.from(m[0]) : [m[0]];
      let off = m.index;
      for (const w of pieces) {
        range.setStart(node, off); range.setEnd(node, off + w.length); off += w.length;
        for (const cr of range.getClientRects()) {
          const r = R(cr);
          if (area(r) < 4) continue;
          const v = inter(r, clip);
          if (area(v) < 0.6 * area(r)) { if (area(v) > 0) ignore.push(v); continue; }
          if (!visibleAt(parent, v)) { ignore.push(v); continue; }
          addWord(v, w);
        }
      }
    }
  };
  const walk = (el, clip) => {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) < 0.1)
      return;
    let kind = kindOf(el, cs);
    if (kind === 'skip') return;
    const tag = el.tagName.toLowerCase();
    if (kind === 'ignore') { const v = inter(R(el.getBoundingClientRect()), clip);
      if (area(v) > 0) ignore.push(v); lastText = null; return; }
    if (kind && kind !== 'text_input' && tag !== 'select' &&
        el.querySelector('button, input, select, textarea, a[href], [role=button]')) {
      kind = null;  // a wrapper around real controls (e.g. a jQuery accordion quirk)
    }
    if (kind) {
      lastText = null;
      if (kind === 'icon' && (tag === 'svg' || tag === 'canvas')) {
        const r = R(el.getBoundingClientRect());
        if (r[2] - r[0] > 64 || r[3] - r[1] > 64) {  // a drawing, not an icon
          const v = inter(r, clip); if (area(v) > 0) ignore.push(v); return;
        }
      }
      const inline = cs.display === 'inline' && kind === 'link';
      const rects = inline ? Array.from(el.getClientRects()).map(R)
        : [R(el.getBoundingClientRect())];
      const text = kind === 'icon' ? '' : textOf(el);
      for (const r of rects) emit(kind, r, clip, el, text);
      return;
    }
    if (tag === 'svg' || tag === 'canvas') return;
    let inner = clip;
    if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible')
      inner = inter(clip, R(el.getBoundingClientRect()));
    if (cs.display !== 'inline') lastText = null;
    for (const child of el.childNodes) {
      if (child.nodeType === 1) walk(child, inner);
      else if (child.nodeType === 3 && child.textContent.trim()) walkText(child, inner, el);
    }
    if (cs.display !== 'inline') lastText = null;
  };
  walk(document.body, [cx, cy, cx + cw, cy + ch]);
  const shift = (r) => [r[0] - cx, r[1] - cy, r[2] - cx, r[3] - cy];
  return {boxes: out.map((b) => ({kind: b.kind, box: shift(b.box), text: b.text})),
          ignore: ignore.map(shift)};
}"""


def label_page(page: Any, clip: tuple[int, int, int, int], scale: float = 1.0) -> PageLabels:
    """Labels of a Playwright page's `clip` (CSS x, y, w, h), in observation pixels at `scale`."""
    raw = page.evaluate(LABEL_JS, list(clip))
    boxes = tuple(
        LabelledBox(b["kind"], tuple(v * scale for v in b["box"]), b["text"][:200])
        for b in raw["boxes"]
    )
    ignore = tuple(tuple(v * scale for v in r) for r in raw["ignore"])
    return PageLabels(boxes, ignore)
