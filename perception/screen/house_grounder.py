"""The embedded CPU grounder ("house" backend): screen parser + phrase grounding, no VLM.

`HouseGrounder.ground(image, instruction)` parses any RGB screenshot into elements
(`ScreenParser`), plans the instruction (`perception.instructions`) and grounds its first
target as the plan policy does (`step_grounding`), then returns the best element as a
`Grounding`: the point to act on and the element's box, in the image's pixels. It needs
no GPU and no downloaded weights, so it is what `handeye ground` uses when no model is named.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from contracts.registry import check_options
from perception.grounding import Box, Grounding, Point
from perception.screen.parser import ScreenParse, ScreenParser, UIElement
from perception.screen.phrase_grounding import Match, PhraseGrounder
from perception.screen.phrase_query import parse_phrase
from perception.screen.step_grounding import aim, find_target, first_target


@dataclass(frozen=True)
class HouseGrounderConfig:
    """Settings of a `HouseGrounder`; each maps 1:1 to a keyword of its constructor."""

    # what callers ask of every grounder backend and only a VLM prompt uses
    ignored_options: ClassVar[frozenset[str]] = frozenset({"prompt", "max_new_tokens", "family"})

    weights: str | None = None  # detector weights; None: the committed screen_detector.pt
    ocr: str = "auto"  # auto | rapidocr | tesseract
    threads: int = 1
    embed: str = "auto"  # MiniLM: auto (only when letters do not decide) | always | never
    min_score: float = 0.3
    candidates: int = 3  # how many runners-up the raw text lists
    # read first the text likeliest to show the named words (large frames), the rest only
    # while no match scores `sure` (text and kind both right, or nearly)
    lazy_text: bool = True
    sure: float = 0.85


class HouseGrounder:
    """Grounds an instruction in a screenshot with the embedded parser; loads models once."""

    def __init__(self, config: HouseGrounderConfig | None = None, **options: Any) -> None:
        check_options(HouseGrounderConfig, options, "the house grounder")
        ignored = HouseGrounderConfig.ignored_options
        settings = {k: v for k, v in options.items() if k not in ignored}
        self.config = config or HouseGrounderConfig(**settings)
        self.parser = ScreenParser(
            weights=self.config.weights, ocr=self.config.ocr, threads=self.config.threads
        )
        self.phrases = PhraseGrounder(
            embed=self.config.embed, min_score=self.config.min_score, threads=self.config.threads
        )
        self._letters = PhraseGrounder(embed="never", min_score=self.config.min_score)
        self._letters.embedder = self.phrases.embedder  # one MiniLM for icon meanings

    def ground(self, image: Any, instruction: str, history: Sequence[str] = ()) -> Grounding:
        """The element `instruction` names in `image` (H x W x 3 uint8): point + box, pixels.

        On a large frame the text likeliest to show the named words is read first
        (`ScreenParser.parses_for`) and the rest only while no sure match is found.
        """
        phrases = self._phrases(instruction) if self.config.lazy_text else []
        spent = 0.0  # seconds spent grounding on partial reads that did not decide
        for parse in self.parser.parses_for(image, phrases):
            t1 = time.perf_counter()
            if not parse.unread:
                matches, query = self._matches(image, parse, instruction)
                return self._grounding(image, parse, matches, query, t1, spent)
            # letters only: a word MiniLM finds alike scores below `sure` all the same
            matches, query = self._matches(image, parse, instruction, self._letters)
            # a glyph stands for words only where no text shows them, which an unread parse
            # cannot tell ("Actions" is also the meaning of a "more" icon)
            if matches and matches[0].score >= self.config.sure and not _glyph(matches[0]):
                return self._grounding(image, parse, matches, query, t1, spent)
            spent += time.perf_counter() - t1
        raise AssertionError("parses_for ends with a full parse")

    def ground_parsed(self, image: Any, parse: ScreenParse, instruction: str) -> Grounding:
        """`ground` on a parse of `image` made already (several instructions, one parse)."""
        t1 = time.perf_counter()
        return self._grounding(image, parse, *self._matches(image, parse, instruction), t1)

    def _phrases(self, instruction: str) -> list[str]:
        """The words the instruction's target and its anchor are named by ([] when by kind or
        position only: then every text on the frame may matter)."""
        target = first_target(instruction)
        if target is None:
            query = parse_phrase(instruction)
            named = [query.text, parse_phrase(query.anchor).text if query.anchor else ""]
        else:
            named = [target.text, target.anchor.text if target.anchor else ""]
            if not target.text:
                return []
        return [p for p in named if p] if named[0] else []

    def _matches(
        self,
        image: Any,
        parse: ScreenParse,
        instruction: str,
        phrases: PhraseGrounder | None = None,
    ) -> tuple[list[Match], Any]:
        """The elements the instruction may mean on `parse`, best first, and what was asked."""
        phrases = phrases or self.phrases
        target = first_target(instruction)
        limit = 1 + self.config.candidates
        if target is not None:  # what the plan policy would act on for this instruction
            named = [target.text, target.anchor.text if target.anchor else ""]
            echo = echoed(parse, instruction, max(named, key=len))
            found = find_target(parse, image, target, phrases, exclude=echo, limit=limit)
            return found, target
        # a bare phrase ("the Password field") with no verb to plan from
        query = parse_phrase(instruction)
        named = [query.text, parse_phrase(query.anchor).text if query.anchor else ""]
        echo = echoed(parse, instruction, max(named, key=len))
        return phrases.rank(parse, query, exclude=echo, limit=limit), query

    def _grounding(
        self,
        image: Any,
        parse: ScreenParse,
        matches: list[Match],
        query: Any,
        t1: float,
        spent: float = 0.0,
    ) -> Grounding:
        """The best match as a `Grounding`. Its latency is what the call costs on a frame not
        seen before: the parse's stages (made now or earlier), `spent` on an earlier try, and
        the grounding since `t1`."""
        t2 = time.perf_counter()
        timings = {**{f"parse_{k}": v for k, v in parse.timings.items()}, "ground": t2 - t1}
        if spent:
            timings["partial_read"] = spent
        timings["total"] = latency = parse.timings.get("total", 0.0) + spent + t2 - t1
        if not matches:
            return Grounding(
                raw_text=f"no element matches {query}; parsed {len(parse)} elements",
                format="house",
                latency_s=latency,
                timings=timings,
            )
        best = matches[0]
        label = best.element.text or best.element.kind
        return Grounding(
            points=(Point(*aim(np.asarray(image), best), label=label),),
            boxes=(Box(*best.element.box, label=label),),
            raw_text="\n".join(_describe(m) for m in matches),
            format="house",
            latency_s=latency,
            timings=timings,
        )

    def close(self) -> None:
        """Drop the models."""
        self.parser.close()

    def __enter__(self) -> HouseGrounder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def echoed(parse: ScreenParse, instruction: str, target: str) -> set[int]:
    """Ids of elements that show the instruction itself (a task banner), not what it names.

    An element is an echo when most of its text is found in the instruction's letters (runs of
    three or more, in order: OCR garbles a letter or two) and it holds more than `target` (the
    longest phrase the instruction names: the target's text or its anchor's), so a button or
    label that reads just that phrase stays.
    """
    want = "".join(ch for ch in instruction.lower() if ch.isalnum())
    own = len("".join(ch for ch in target.lower() if ch.isalnum()))
    out = set()
    for el in parse.elements:
        have = "".join(ch for ch in el.text.lower() if ch.isalnum())
        if len(have) < 6 or len(have) <= own + 3:
            continue
        if shares_runs(have, want):
            out.add(el.id)
    return out


def shares_runs(have: str, want: str, share: float = 0.8) -> bool:
    """Whether `share` of `have` is found in `want` as runs of 3+ characters in order: a line
    that repeats the instruction with a letter or two garbled by OCR ("Find the Znd word")."""
    blocks = difflib.SequenceMatcher(None, have, want, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 3) >= share * len(have)


def _glyph(m: Match) -> bool:
    """Whether a match is an icon glyph found for the words (`step_grounding.icon_matches`)."""
    return any(r.startswith("icon ") for r in m.reasons)


def _describe(m: Match) -> str:
    el: UIElement = m.element
    return f"{el.describe()} box {el.box} score {m.score:.2f}: " + "; ".join(m.reasons)


__all__ = ["HouseGrounder", "HouseGrounderConfig", "echoed", "shares_runs"]
