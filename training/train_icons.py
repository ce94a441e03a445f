"""Train the icon classifier (`perception/screen/icons.py`) on open icon sets rendered here.

Reads top to bottom: fetch the icon sets from npm (`npm pack`, MIT / ISC / Apache-2.0 /
CC-BY-4.0), label each SVG by its file name (trash-2 -> delete, corner-up-left -> reply),
render every labelled icon with resvg at 10-36 px, random stroke width, colours, blur and JPEG,
cut it out the way `icons.normalise` cuts a glyph out of a screenshot, and train the small CNN.
Font Awesome Free is held out whole (never trained on) and scored at the end; so are the
MiniWoB icons when the `miniwob` package is installed (a benchmark's icons are test data only).

    python -m training.train_icons --out perception/screen/weights/icons.pt
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import subprocess
import tarfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from perception.screen.icons import OTHER, WORDS, build_net, normalise

# npm package -> the folders (inside the package) whose SVGs are icons
SETS = {
    "bootstrap-icons": ("icons",),
    "lucide-static": ("icons",),
    "@tabler/icons": ("icons",),
    "heroicons": ("24/outline", "24/solid", "20/solid"),
    "@mdi/svg": ("svg",),
    "feather-icons": ("dist/icons",),
    "ionicons": ("dist/svg",),
    "@material-design-icons/svg": ("filled", "outlined", "round", "sharp"),
    "remixicon": ("icons",),
    "@phosphor-icons/core": ("assets/regular", "assets/bold", "assets/fill", "assets/light"),
    "@fortawesome/fontawesome-free": ("svgs/solid", "svgs/regular"),
}
HELD_OUT = "@fortawesome/fontawesome-free"  # never trained on: the held-out icon set
# Icon file names (style words and trailing digits dropped) -> the class they depict.
NAMES = {
    "star": "star grade",
    "delete": "trash trash-can delete bin garbage trash-empty delete-forever",
    "reply": "reply corner-up-left arrow-back-up arrow-reply",
    "forward": "forward corner-up-right arrow-forward-up",
    "share": "share-nodes share-variant share-social",
    "retweet": "retweet repeat twitter-retweet arrows-repeat",
    "like": "heart favorite",
    "thumbs_up": "thumb-up thumbs-up hand-thumbs-up",
    "more": "three-dots dots ellipsis more-horizontal more-horiz dots-horizontal more "
    "ellipsis-h ellipsis-horizontal dots-three three-dots-vertical dots-vertical more-vertical "
    "more-vert ellipsis-v ellipsis-vertical dots-three-vertical",
    "menu": "menu bars hamburger navicon",
    "search": "search magnifying-glass magnify zoom search-line",
    "close": "x close xmark times clear cross x-mark",
    "edit": "pencil edit pen create pencil-simple mode",
    "settings": "gear settings cog gear-six gear-wide",
    "home": "home house house-door house-simple",
    "user": "user person account user-circle person-circle circle-user account-circle",
    "mail": "mail envelope email envelope-simple envelope-open mail-open",
    "download": "download file-download cloud-download arrow-down-to-line download-simple",
    "upload": "upload file-upload cloud-upload upload-simple",
    "add": "plus add plus-circle add-circle circle-plus",
    "check": "check done checkmark check-circle circle-check",
    "back": "arrow-left arrow-back chevron-left angle-left caret-left arrow-narrow-left",
    "next": "arrow-right arrow-forward chevron-right angle-right caret-right arrow-narrow-right",
    "up": "arrow-up chevron-up angle-up caret-up arrow-narrow-up expand-less",
    "down": "arrow-down chevron-down angle-down caret-down arrow-narrow-down expand-more",
    "send": "send paper-plane paper-plane-tilt send-horizontal",
    "bookmark": "bookmark bookmark-simple",
    "refresh": "refresh arrow-clockwise rotate-cw rotate-right reload arrows-clockwise "
    "refresh-cw arrow-repeat",
    "comment": "comment chat message-circle chat-bubble message chat-circle chat-left",
    "bell": "bell notifications notification",
    "lock": "lock lock-closed",
    "cart": "cart shopping-cart",
    "calendar": "calendar event calendar-blank",
    "filter": "filter funnel",
    "info": "info info-circle circle-info information",
    "help": "help question help-circle question-circle circle-question",
    "warning": "warning alert-triangle exclamation-triangle triangle-exclamation",
    "eye": "eye visibility",
    "link": "link chain",
    "copy": "copy content-copy duplicate",
    "print": "print printer",
    "play": "play",
    "pause": "pause",
    "image": "image photo picture",
    "camera": "camera",
    "phone": "phone call telephone",
    "logout": "logout log-out sign-out box-arrow-right",
    "attach": "paperclip attachment attach-file",
    "flag": "flag",
    "location": "map-pin location place geo-alt",
    "clock": "clock time schedule",
    "tag": "tag",
    "minus": "minus remove dash",
    "mic": "mic microphone",
    "volume": "volume volume-up speaker",
}
STYLE = frozenset((
    "fill", "filled", "outline", "outlined", "line", "solid", "bold", "light", "thin",
    "duotone", "regular", "sharp", "round", "rounded", "twotone", "two-tone", "o", "alt", "lg",
    "sm", "fw",
))  # fmt: skip
NAME_TO_CLASS = {name: cls for cls, names in NAMES.items() for name in names.split()}
assert set(NAMES) == set(WORDS), set(NAMES) ^ set(WORDS)


@dataclass
class Args:
    cache: str = "/tmp/icon-sets"  # where the npm tarballs are unpacked
    out: str = "perception/screen/weights/icons.pt"
    per_class: int = 500  # renderings per class (spread over its icons)
    other_share: float = 0.25  # of the pool: icons of no class (the "none of these" class)
    epochs: int = 10
    batch: int = 256
    lr: float = 3e-3
    seed: int = 0
    threads: int = 1  # more spin-waits on a busy machine


def class_of(file_name: str) -> str | None:
    """The class an icon's file name names, or None (a compound like "mail-star" names none)."""
    tokens = re.split(r"[-_ ]+", file_name.lower().removesuffix(".svg"))
    if len(tokens) > 1 and re.fullmatch(r"\d", tokens[-1]):
        tokens = tokens[:-1]  # "trash-2", "edit-2": a set's second drawing of the same thing
    tokens = [t if t.isdigit() else re.sub(r"\d+$", "", t) for t in tokens]
    tokens = [t for t in tokens if t and t not in STYLE]
    return NAME_TO_CLASS.get("-".join(tokens))


def fetch_sets(cache: Path) -> dict[str, list[Path]]:
    """Every icon SVG of every set, fetched with `npm pack` when not cached."""
    cache.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[Path]] = {}
    for package, folders in SETS.items():
        root = cache / package.replace("/", "+")
        if not root.exists():
            tgz = subprocess.run(
                ["npm", "pack", "--silent", package], cwd=cache, check=True, capture_output=True,
                text=True,
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            with tarfile.open(cache / tgz) as tar:
                tar.extractall(root, filter="data")
        found[package] = sorted(p for f in folders for p in (root / "package" / f).rglob("*.svg"))
    return found


def render(svg: str, rng: random.Random) -> np.ndarray:
    """One rendering of an icon as the classifier's input: random size, stroke, colours,
    blur and JPEG, cut out with `normalise` as a screenshot's glyph would be."""
    import resvg_py
    from PIL import Image, ImageFilter

    side = rng.randint(10, 36)
    if "stroke-width" in svg:
        factor = rng.uniform(0.6, 1.5)
        svg = re.sub(
            r'stroke-width="([\d.]+)"', lambda m: f'stroke-width="{float(m[1]) * factor:.2f}"', svg
        )
    png = resvg_py.svg_to_bytes(svg_string=svg.replace("currentColor", "#000"), width=side)
    alpha = np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))[..., 3] / 255.0
    while True:
        bg, fg = (
            np.array([rng.randint(0, 255) for _ in range(3)]),
            np.array([rng.randint(0, 255) for _ in range(3)]),
        )
        if np.abs(bg - fg).max() >= 80:
            break
    m = rng.randint(2, 4)
    h, w = alpha.shape
    canvas = np.zeros((h + 2 * m, w + 2 * m))
    canvas[m : m + h, m : m + w] = alpha
    img = canvas[..., None] * fg + (1 - canvas[..., None]) * bg
    pil = Image.fromarray(img.clip(0, 255).astype(np.uint8))
    if rng.random() < 0.3:
        pil = pil.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    if rng.random() < 0.2:
        scale = rng.uniform(0.6, 0.9)
        small = pil.resize((max(4, int(pil.width * scale)), max(4, int(pil.height * scale))))
        pil = small.resize(pil.size)
    if rng.random() < 0.3:
        buf = io.BytesIO()
        pil.save(buf, "JPEG", quality=rng.randint(30, 90))
        pil = Image.open(buf).convert("RGB")
    return normalise(np.asarray(pil))


def pool(
    files: list[Path], classes: list[str], args: Args, rng: random.Random
) -> tuple[np.ndarray, np.ndarray]:
    """Renderings (n, SIZE, SIZE) and class indices (n,) of the labelled icons of `files`,
    `per_class` of each class (its icons in turn), with icons of no class as OTHER for
    `other_share` of the pool."""
    by_class: dict[str, list[Path]] = {}
    unknown = []
    for f in files:
        c = class_of(f.name)
        if c is None:
            unknown.append(f)
        else:
            by_class.setdefault(c, []).append(f)
    jobs = [(fs[i % len(fs)], c) for c, fs in by_class.items() for i in range(args.per_class)]
    n_other = int(len(jobs) * args.other_share / (1 - args.other_share))
    jobs += [(f, OTHER) for f in rng.choices(unknown, k=n_other)]
    return render_all(jobs, classes, rng)


def render_all(
    jobs: list[tuple[Path, str]], classes: list[str], rng: random.Random
) -> tuple[np.ndarray, np.ndarray]:
    """One rendering (n, SIZE, SIZE) and class index (n,) per (svg file, class) job."""
    xs, ys = [], []
    texts: dict[Path, str] = {}
    for f, c in jobs:
        svg = texts.setdefault(f, f.read_text(errors="replace"))
        try:
            xs.append(render(svg, rng))
        except (ValueError, OSError):
            continue  # an SVG resvg cannot draw
        ys.append(classes.index(c))
    return np.stack(xs).astype(np.float32), np.asarray(ys)


def miniwob_icons() -> list[tuple[np.ndarray, str]]:
    """The MiniWoB icons (test data only) with the class a person would name them by."""
    try:
        import miniwob
    except ImportError:
        return []
    from PIL import Image

    root = Path(miniwob.__file__).parent / "html" / "common" / "special"
    named = {
        "email-inbox/delete.png": "delete", "email-inbox/forward.png": "forward",
        "email-inbox/reply.png": "reply", "email-inbox/search.png": "search",
        "email-inbox/send.png": "send", "email-inbox/star.png": "star",
        "email-inbox/star-clicked.png": "star", "email-inbox/left-arrow.png": "back",
        "email-inbox/left-arrow-white.png": "back", "social-media/like.png": "like",
        "social-media/more.png": "more", "social-media/reply.png": "reply",
        "social-media/retweet.png": "retweet", "social-media/like-hover.png": "like",
        "social-media/more-hover.png": "more", "social-media/reply-hover.png": "reply",
        "social-media/retweet-hover.png": "retweet",
    }  # fmt: skip
    out = []
    for name, cls in named.items():
        rgba = Image.open(root / name).convert("RGBA")
        for side, bg in ((14, (255, 255, 255)), (18, (255, 255, 255)), (16, (220, 60, 60))):
            img = Image.new("RGBA", rgba.size, bg + (255,))
            img.alpha_composite(rgba)
            small = img.convert("RGB")
            small.thumbnail((side, side))
            page = Image.new("RGB", (small.width + 6, small.height + 6), bg)
            page.paste(small, (3, 3))
            x = normalise(np.asarray(page))
            if x.any():  # a white icon drawn on a white page shows nothing
                out.append((x, cls))
    return out


def main(args: Args) -> None:
    import torch
    from rich.console import Console
    from rich.progress import track

    console = Console(stderr=True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)  # the one-pixel shifts of the batches
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    classes = [*WORDS, OTHER]
    sets = fetch_sets(Path(args.cache))
    train_files = [f for package, files in sets.items() if package != HELD_OUT for f in files]
    held_files = [f for f in sets[HELD_OUT] if class_of(f.name) is not None]
    console.print(f"{len(train_files)} training icons, {len(held_files)} held-out labelled")
    t0 = time.time()
    x, y = pool(train_files, classes, args, rng)
    console.print(f"pool {x.shape} in {time.time() - t0:.0f} s; per class {np.bincount(y)}")
    net = build_net(len(classes))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * (len(x) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=steps)
    xt, yt = torch.from_numpy(x)[:, None], torch.from_numpy(y)
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(xt))
        total = 0.0
        for i in track(range(len(xt) // args.batch), description=f"epoch {epoch}", console=console):
            idx = order[i * args.batch : (i + 1) * args.batch]
            batch = xt[idx]
            shift = np.random.randint(-1, 2, size=2)  # a glyph box found a pixel off
            batch = torch.roll(batch, shifts=(int(shift[0]), int(shift[1])), dims=(2, 3))
            loss = torch.nn.functional.cross_entropy(net(batch), yt[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach())
        console.print(f"epoch {epoch}: loss {total / max(1, len(xt) // args.batch):.3f}")
    net.eval()
    report = {"train_icons": len(train_files), "pool": len(x)}
    held = [(f, str(class_of(f.name))) for f in held_files for _ in range(3)]
    hx, hy = render_all(held, classes, random.Random(args.seed + 1))
    report["held_out_set"] = {"set": HELD_OUT, **score(net, hx, hy, classes)}
    mini = miniwob_icons()
    if mini:
        mx = np.stack([m[0] for m in mini])
        my = np.asarray([classes.index(m[1]) for m in mini])
        report["miniwob"] = score(net, mx, my, classes)
    console.print(json.dumps(report, indent=1))
    state = {k: v.half() if v.is_floating_point() else v for k, v in net.state_dict().items()}
    meta = {"args": asdict(args), "report": report, "sets": list(SETS)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save({"classes": classes, "state_dict": state, "meta": json.dumps(meta)}, args.out)
    console.print(f"saved {args.out}")


def score(net: object, x: np.ndarray, y: np.ndarray, classes: list[str]) -> dict[str, object]:
    """Top-1 and top-3 accuracy of `net` on inputs x (n, SIZE, SIZE), labels y, with misses."""
    import torch

    with torch.no_grad():
        logits = net(torch.from_numpy(x)[:, None])  # type: ignore[operator]
    top = logits.topk(3, dim=1).indices.numpy()
    hit1 = top[:, 0] == y
    hit3 = (top == y[:, None]).any(axis=1)
    misses: dict[str, int] = {}
    for t, p in zip(y[~hit1], top[~hit1, 0], strict=True):
        key = f"{classes[t]}->{classes[p]}"
        misses[key] = misses.get(key, 0) + 1
    worst = dict(sorted(misses.items(), key=lambda kv: -kv[1])[:12])
    return {"n": len(y), "top1": round(float(hit1.mean()), 4), "top3": round(float(hit3.mean()), 4),
            "misses": worst}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in asdict(Args()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    main(Args(**vars(parser.parse_args())))
