"""Submenus that open on hover: a target missing from an open menu, or read only inside a
longer item's word, is looked for by pointing at the menu's rows, on a real page."""

from __future__ import annotations

import pytest

import envs  # noqa: F401 - registers the ids
from contracts.actions import Hover
from tests.policies.house_episodes import run_on_page

MENU = """<!doctype html><html><head><style>
body { font: 15px sans-serif; margin: 16px; padding-top: 90px; }
ul { list-style: none; margin: 0; padding: 2px; border: 1px solid #aaa; background: #f4f4f4;
     width: 110px; position: absolute; }
li { padding: 4px 8px; position: relative; cursor: default; }
li.on { background: #2a6fdb; color: white; }
#menu { display: none; top: 150px; left: 16px; }
.sub { display: none; left: 112px; top: -3px; color: #111; }
</style></head><body>
<button id="options">Options</button> <span id="said"></span>
<ul id="menu"><li>Open</li><li id="fmt">Format &#9656;<ul class="sub" id="sub">
<li>Form</li><li>Bold</li><li>Italic</li></ul></li><li>Exit</li></ul>
<script>
document.getElementById("options").onclick = () => { menu.style.display = 'block'; };
let timer = null;
document.querySelectorAll('#menu > li').forEach((li) => {
  li.onmouseenter = () => {
    li.classList.add('on');
    clearTimeout(timer);  // a submenu opens after a short delay, as menu widgets do
    timer = setTimeout(() => { sub.style.display = li.id === 'fmt' ? 'block' : 'none'; }, 250);
  };
  li.onmouseleave = () => li.classList.remove('on');
});
document.querySelectorAll('li').forEach((li) => li.addEventListener('click', (e) => {
  e.stopPropagation();
  if (li.querySelector('ul')) return;
  document.title = li.firstChild.textContent.trim();
  menu.style.display = 'none';
  document.getElementById('said').textContent = 'Chose ' + document.title;
}));
</script></body></html>"""


@pytest.mark.slow
@pytest.mark.parametrize("item", ["Italic", "Form"])  # missing; read inside "Format"
def test_an_item_of_a_submenu_opened_by_hover_is_clicked(plan_policy, tmp_path, item):
    task = f'Click the "Options" button, then click on the item labeled "{item}".'
    actions, info = run_on_page(plan_policy, tmp_path / "menu.html", MENU, task, max_steps=12)
    assert any(isinstance(a, Hover) for a in actions)
    assert info["title"] == item, actions
