"""Generated pages and their DOM labels: seeded HTML, disjoint splits, kinds from real Chromium."""

from __future__ import annotations

import random

import numpy as np
import pytest

from perception.screen.kinds import KINDS, LabelledBox, PageLabels
from training.page_generator import TEST_TEMPLATES, TRAIN_TEMPLATES, generate_page, random_style
from training.screen_data import Frame, cut_crops, miniwob_split, render_pages


def test_same_template_and_seed_give_the_same_page():
    a, b = generate_page("login", 3), generate_page("login", 3)
    assert a.html == b.html and (a.width, a.height, a.scale) == (b.width, b.height, b.scale)
    assert generate_page("login", 4).html != a.html


def test_held_out_templates_and_miniwob_families_never_appear_in_training():
    assert not set(TEST_TEMPLATES) & set(TRAIN_TEMPLATES)
    train, test = miniwob_split()
    assert test and not set(train) & set(test)
    # a held-out family keeps its variants out too
    assert "form-sequence" in test and "form-sequence-2" in test


def test_styles_cover_dark_light_colourful_and_non_latin_languages():
    rng = random.Random(0)
    styles = [random_style(rng) for _ in range(200)]
    assert {s.theme for s in styles} == {"light", "dark", "colourful"}
    assert {"zh", "ru", "ar"} <= {s.lang for s in styles}


def test_crops_keep_boxes_that_mostly_show_and_ignore_the_cut_ones():
    image = np.zeros((100, 300, 3), np.uint8)
    labels = PageLabels(
        (LabelledBox("button", (10, 10, 50, 30)), LabelledBox("text", (40, 50, 140, 60)))
    )
    crop = cut_crops(Frame(image, labels, "t"), 64, 1, random.Random(1))[0]
    assert crop.image.shape == (64, 64, 3) and crop.valid == (0, 0, 64, 64)
    # deterministic window at x0 for this seed; every kept box lies inside it
    for b in crop.labels.boxes:
        assert 0 <= b.box[0] < b.box[2] <= 64 and 0 <= b.box[1] < b.box[3] <= 64


@pytest.mark.slow
def test_generated_page_labels_name_every_widget_kind(browser_pool):
    kinds: set[str] = set()
    frames = list(render_pages(("settings", "checkout", "search", "inbox"), range(2)))
    for frame in frames:
        h, w = frame.image.shape[:2]
        for b in frame.labels.boxes:
            assert b.kind in KINDS
            x0, y0, x1, y1 = b.box
            assert -0.5 <= x0 < x1 <= w + 0.5 and -0.5 <= y0 < y1 <= h + 0.5
        kinds |= {b.kind for b in frame.labels.boxes}
    assert {"button", "text_input", "checkbox", "link", "dropdown", "icon", "text"} <= kinds
