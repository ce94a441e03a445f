"""MiniWoB solvers for widgets and multi-page flows: menus, trees, autocomplete, search
results, the email client, the social feed and the movie-search layouts.

Each step locates the view the page is in (open email, reply form, results page) and takes the
next action towards the goal from there, so a detour (wrong email opened) is undone.
"""

from __future__ import annotations

from contracts.actions import Action, Hover, Key
from policies.experts.miniwob_dom import (
    Node,
    Solver,
    TaskState,
    click,
    fill,
    fill_then,
    parse,
    point,
    quoted,
    registrar,
    reveal,
)

FLOW_SOLVERS: dict[str, Solver] = {}
solves = registrar(FLOW_SOLVERS)


# ------------------------------------------------------------------ menus, trees, autocomplete
def _menu_items(s: TaskState, menu: Node) -> list[tuple[Node, Node]]:
    """(item <li>, its label wrapper) for the direct items of a jQuery UI menu <ul>."""
    out = []
    for li in s.dom.children(menu):
        wrapper = next((c for c in s.dom.children(li) if c.has_class("ui-menu-item-wrapper")), None)
        if li.tag == "LI" and wrapper is not None:
            out.append((li, wrapper))
    return out


@solves("click-menu")
def click_menu(s: TaskState) -> Action | None:
    m = parse(r"Select (.*)", s.instruction)
    menu = s.dom.by_id("menu")
    if menu is None:
        return None
    path = m.group(1).strip().split(">")
    for depth, name in enumerate(path):
        item = next(((li, w) for li, w in _menu_items(s, menu) if s.dom.text_is(w, name)), None)
        if item is None:
            return None
        li, wrapper = item
        if depth == len(path) - 1:
            return click(wrapper)
        submenu = next((c for c in s.dom.children(li) if c.tag == "UL"), None)
        if submenu is None:
            # Hovering opens the submenu after the menu's 300 ms delay; wait while it is pending.
            return None if wrapper.has_class("ui-state-active") else Hover(*point(wrapper))
        menu = submenu
    return None


@solves("navigate-tree")
def navigate_tree(s: TaskState) -> Action | None:
    (name,) = quoted(s.instruction)[:1]
    target = s.dom.first(
        "SPAN", text=name, where=lambda n: n.has_class("file") or n.has_class("folder")
    )
    if target is not None:
        return reveal(s.dom, target) or click(target)
    closed = s.dom.first("DIV", cls="expandable-hitarea")
    return None if closed is None else (reveal(s.dom, closed) or click(closed))


@solves("use-autocomplete", "use-autocomplete-nodelay")
def use_autocomplete(s: TaskState) -> Action | None:
    parts = quoted(s.instruction)
    start, end = parts[0], (parts[1] if len(parts) > 1 else "")
    box, submit = s.dom.by_id("tags"), s.dom.by_id("subbtn")
    if box is None or submit is None:
        return None

    def fits(text: str) -> bool:
        return text.startswith(start) and text.endswith(end)

    menu = s.dom.first("UL", cls="ui-autocomplete")
    if menu is not None:
        fitting = [w for _, w in _menu_items(s, menu) if fits(s.dom.text(w))]
        if fitting:
            choice = fitting[0]
            if choice.bottom <= s.dom.height:
                return click(choice)  # picking an item closes the menu, which covers Submit
            return fill(box, s.dom.text(choice), s.last)  # narrows the menu to bring it up
    value = str(box.value or "")
    if fits(value):
        return click(submit)
    if not value.startswith(start) or not value:
        return fill(box, start, s.last)
    # The menu opens 300 ms after the last key; ArrowDown asks for it at once (and again, if a
    # search raced the typing and never opened it).
    return Key("ArrowDown")


# ------------------------------------------------------------------ multi-page flows
@solves("search-engine")
def search_engine(s: TaskState) -> Action | None:
    m = parse(r"(\d+)(?:st|nd|rd|th) search result", s.instruction)
    box, search = s.dom.by_id("search-text"), s.dom.by_id("search")
    if box is None or search is None:
        return None
    (query,) = quoted(s.instruction)[:1]
    if box.value != query:
        return fill(box, query, s.last)
    titles = s.dom.find("A", cls="search-title")
    if not titles:
        return click(search)
    rank = int(m.group(1)) - 1
    page, slot = rank // 3 + 1, rank % 3
    active = s.dom.first("LI", cls="active")
    if active is None or not s.dom.text_is(active, str(page)):
        link = s.dom.first("A", cls="page-link", text=str(page))
        return None if link is None else (reveal(s.dom, link) or click(link))
    if slot >= len(titles):
        return None
    return reveal(s.dom, titles[slot]) or click(titles[slot])


_EMAIL_TASK = (
    r"Find the email by (?P<by>.+?) and (?:reply to them with the text \"(?P<message>.*)\""
    r"|forward that email to (?P<to>.+?)\.?$|click the (?P<icon>trash|star) icon)"
)
_EMAIL_ICONS = {"delete": "trash", "star": "star"}


def _email_goal(s: TaskState) -> tuple[str, str, str]:
    """(sender, what to do: reply/forward/trash/star, the reply text or forward address)."""
    f = s.fields
    if f.get("by"):  # natural-language variants name their fields; forward-only ones no task
        task = str(f.get("task") or ("forward" if f.get("to") else ""))
        return (
            str(f["by"]),
            _EMAIL_ICONS.get(task, task),
            str(f.get("message") or f.get("to") or ""),
        )
    m = parse(_EMAIL_TASK, s.instruction)
    if m.group("icon"):
        return m.group("by"), m.group("icon"), ""
    if m.group("to") is not None:
        return m.group("by"), "forward", m.group("to")
    return m.group("by"), "reply", m.group("message") or ""


@solves("email-inbox", "email-inbox-delete", "email-inbox-important", "email-inbox-reply")
@solves("email-inbox-forward", "email-inbox-noscroll", "email-inbox-star-reply")
@solves("email-inbox-nl-turk", "email-inbox-forward-nl", "email-inbox-forward-nl-turk")
def email_inbox(s: TaskState) -> Action | None:
    sender, kind, text = _email_goal(s)
    if s.dom.by_id("reply") is not None:
        return fill_then(s, [(s.dom.by_id("reply-text"), text)], s.dom.by_id("send-reply"))
    forward = s.dom.by_id("forward")
    if forward is not None:
        to = s.dom.first("INPUT_text", cls="forward-sender", within=forward)
        return fill_then(s, [(to, text)], s.dom.by_id("send-forward"))
    icon = kind if kind in ("trash", "star") else None
    email = s.dom.by_id("email")
    if email is not None:
        shown = s.dom.first(cls="email-sender", within=email)
        if shown is None or not s.dom.text_is(shown, sender):
            close = s.dom.by_id("close-email")
            return None if close is None else click(close)
        if icon:
            target = s.dom.first("SPAN", cls=icon, within=email)
        else:
            target = s.dom.first(cls=f"email-{kind}", within=email)
        return None if target is None else click(target)
    inbox = s.dom.by_id("main")
    if inbox is None:
        return None
    for thread in s.dom.find(cls="email-thread", within=inbox):
        name = s.dom.first(cls="email-sender", within=thread)
        if name is None or not s.dom.text_is(name, sender):
            continue
        target = s.dom.first("SPAN", cls=icon, within=thread) if icon else name
        return None if target is None else (reveal(s.dom, target, inbox) or click(target))
    return None


_MORE_MENU = {
    "Share via DM": "share",
    "Copy link to Tweet": "copy",
    "Embed Tweet": "embed",
    "Mute": "menu-user",
    "Block": "block-user",
    "Report": "report",
}


@solves("social-media")
def social_media(s: TaskState) -> Action | None:
    m = parse(r"For the user (\S+), click on the \"(.+?)\" button", s.instruction)
    area = s.dom.by_id("area")
    if area is None:
        return None
    user, button = m.groups()
    for post in s.dom.find("DIV", cls="media", within=area):
        name = s.dom.first(cls="username", within=post)
        if name is None or not s.dom.text_is(name, user):
            continue
        if button in _MORE_MENU:
            entry = s.dom.first("LI", cls=_MORE_MENU[button], within=post)
            target = entry or s.dom.first("SPAN", cls="more", within=post)
        else:
            target = s.dom.first("SPAN", cls=button.lower(), within=post)
        return None if target is None else (reveal(s.dom, target, area) or click(target))
    return None


@solves("social-media-all", "social-media-some")
def social_media_all(s: TaskState) -> Action | None:
    m = parse(
        r'Click the "(.+?)" button on (all|\d+) posts? by (\S+) and then click Submit',
        s.instruction,
    )
    area = s.dom.by_id("area")
    if area is None:
        return None
    button, amount, user = m.groups()
    targets = []
    for post in s.dom.find("DIV", cls="media", within=area):
        name = s.dom.first(cls="username", within=post)
        if name is not None and s.dom.text_is(name, user):
            targets += s.dom.find("SPAN", cls=button.lower(), within=post)
    need = len(targets) if amount == "all" else int(amount)
    if sum(t.has_class("active") for t in targets) < need:
        target = next(t for t in targets if not t.has_class("active"))
        return reveal(s.dom, target, area) or click(target)
    submit = s.dom.first("BUTTON", text="Submit")
    return None if submit is None else (reveal(s.dom, submit, area) or click(submit))


_MOVIE_FIELDS = (("genre", "genre"), ("director", "name"), ("year", "year"), ("date", "year"))


@solves("multi-layouts")
def multi_layouts(s: TaskState) -> Action | None:
    m = parse(r"Search for (.+?) movies directed by (.+?) from year (\d+)", s.instruction)
    values = {"genre": m.group(1), "name": m.group(2), "year": m.group(3)}
    pairs: list[tuple[Node | None, str]] = []
    for box in s.dom.find("INPUT_text"):
        label = next((s.dom.text(a).lower() for a in s.dom.ancestors(box) if s.dom.text(a)), "")
        key = next((k for word, k in _MOVIE_FIELDS if word in label), None)
        if key is not None:
            pairs.append((box, values[key]))
    if len(pairs) != 3:
        return None
    submit = s.dom.first(
        where=lambda n: n.tag != "t" and s.dom.text(n) in ("Submit", "Search", "Go!")
    )
    return fill_then(s, pairs, submit)
