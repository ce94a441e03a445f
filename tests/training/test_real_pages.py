"""The real-page corpus: committed pages served on loopback, labelled from the DOM in Chromium."""

from __future__ import annotations

import pytest

from training.real_pages import (
    HELD_OUT_SITES,
    SITES,
    TARGETS_JS,
    CorpusServer,
    RealTarget,
    _prefix_ids,
    available_sites,
    render_site,
    site,
)


def test_held_out_sites_are_whole_sites_of_the_corpus():
    names = [s.name for s in SITES]
    assert len(names) == len(set(names))
    assert set(HELD_OUT_SITES) < set(names)
    with pytest.raises(KeyError, match="water.css"):
        site("no-such-site")


def test_fixture_ids_get_a_prefix_with_every_reference_to_them():
    html = '<label for="a">A</label><input id="a" aria-describedby="h e"><a href="#a">x</a>'
    out = _prefix_ids(html, "f1-")
    assert 'for="f1-a"' in out and 'id="f1-a"' in out
    assert 'aria-describedby="f1-h f1-e"' in out and 'href="#f1-a"' in out


def test_a_checkbox_is_hit_on_its_box_or_the_label_that_toggles_it():
    t = RealTarget(
        "checkbox", "Remember me", (10, 10, 26, 26), ((10, 10, 26, 26), (30, 8, 120, 28))
    )
    assert t.contains(18, 18) and t.contains(60, 20)
    assert not t.contains(200, 20)


HIDDEN = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)"


def test_targets_are_named_by_the_words_a_person_sees(browser_pool):
    """Screen-reader-only words and an aria-label are not what a person reads on the page."""
    handle = browser_pool.new_page(480, 320)
    try:
        handle.page.set_content(
            f"""<a href="#p2" aria-label="Page 2">2</a>
            <a href="#c">Change<span style="{HIDDEN}"> date of birth</span></a>
            <label for="e">Email <span style="{HIDDEN}">(required)</span></label>
            <input id="e" aria-label="Your email address">
            <button aria-label="Close dialog"><svg width="9" height="9"></svg></button>"""
        )
        names = {(t["kind"], t["name"]) for t in handle.page.evaluate(TARGETS_JS)}
    finally:
        handle.close()
    assert ("link", "2") in names and ("link", "Change") in names
    assert ("text_field", "Email") in names
    assert ("icon_button", "Close dialog") in names  # no words shown: the accessible name


def test_a_closed_details_menu_labels_only_its_summary(browser_pool):
    """A drop-down menu's links positioned under a closed <details> are laid out, not drawn."""
    handle = browser_pool.new_page(480, 320)
    try:
        handle.page.set_content(
            """<details><summary><a href="#t">Theme</a></summary>
            <ul style="display:block;position:absolute;top:40px"><li><a href="#l">Light</a></ul>
            </details>
            <details open><summary>More</summary><a href="#m">Open menu link</a></details>"""
        )
        names = {(t["kind"], t["name"]) for t in handle.page.evaluate(TARGETS_JS)}
    finally:
        handle.close()
    assert ("link", "Theme") in names and ("link", "Open menu link") in names
    assert ("link", "Light") not in names


def test_the_dark_theme_fills_fields_and_buttons_and_colours_links(browser_pool):
    """The re-theme's own rules for fields, buttons and links outrank its rule that clears
    every element, as its design says (filled fields, filled buttons, link-coloured links)."""
    from training.real_page_labels import DARK_CSS

    handle = browser_pool.new_page(480, 320)
    try:
        handle.page.set_content(
            "<style>input, button { border: none; background: #fff }</style>"
            '<p><a id="a" href="#">Home</a> <input id="i"> <button id="b">Go</button></p>'
        )
        handle.page.add_style_tag(content=DARK_CSS)
        looks = handle.page.evaluate(
            """() => ['a', 'i', 'b'].map((id) => {
                const cs = getComputedStyle(document.getElementById(id));
                return [cs.color, cs.backgroundColor]; })"""
        )
    finally:
        handle.close()
    (link, _), (_, field), (_, button) = looks
    assert link == "rgb(138, 180, 248)"
    assert field == "rgb(42, 44, 49)" and button == "rgb(59, 74, 99)"


@pytest.mark.slow
def test_water_css_demo_labels_fields_boxes_and_buttons_in_both_themes(browser_pool):
    assert "water.css" in available_sites()
    with CorpusServer() as server:
        frames = list(render_site(site("water.css"), server))
    by_theme = {theme: [f for f in frames if f.theme == theme] for theme in ("light", "dark")}
    targets = {(t.kind, t.name): t for f in by_theme["light"] for t in f.targets}
    assert ("text_field", "Email") in targets and ("text_area", "About me") in targets
    remember = targets[("checkbox", "Remember me")]
    assert len(remember.hit) == 2  # the box and its label
    assert ("button", "Submit") in targets
    for f in frames:
        assert f.image.shape == (720, 1280, 3)
    # the dark copy is dark and keeps the same targets
    assert by_theme["dark"][0].image.mean() < 0.6 * by_theme["light"][0].image.mean()
    dark = {(t.kind, t.name) for f in by_theme["dark"] for t in f.targets}
    assert len(dark & set(targets)) >= 0.8 * len(targets)


def test_classless_pages_take_their_look_from_the_query_and_end_at_the_page_bottom(browser_pool):
    """One committed page in two npm stylesheets (a light one, a dark one); a page scrolled to
    its end is not shown again for the controls below it that no frame can show whole."""
    from training.real_pages import Site, npm_root

    if not (npm_root() / "sakura.css").is_dir() or not (npm_root() / "mvp.css").is_dir():
        pytest.skip("the classless site's npm stylesheets are not installed (run the bench once)")
    pages = ("/src/classless/signup.html?css=mvp", "/src/classless/signup.html?css=sakura-dark")
    with CorpusServer() as server:
        frames = list(render_site(Site("classless", pages), server, ("light",)))
    shown = [(f.page, f.scroll) for f in frames]
    assert len(shown) == len(set(shown))
    names = {(t.kind, t.name) for f in frames if f.page == pages[0] for t in f.targets}
    assert {("text_field", "Given name"), ("text_area", "Tell us what you like to read")} <= names
    assert {
        ("button", "Create my card"),
        ("radio", "Student"),
        ("slider", "Reminder volume"),
    } <= names
    light, dark = (next(f for f in frames if f.page == p) for p in pages)
    assert dark.image.mean() < 0.6 * light.image.mean()
