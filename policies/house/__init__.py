"""The "house" policy: handeye's own default, chosen by what the first observation looks like.

Camera observations (`rgb` + `depth`) get the grounded tabletop policy (embedded robot grounder
plus planner); screen observations get the browser pixel policy (`policies.house.web`: the
instruction planned into steps, each grounded on the screen parse and checked).
The choice is made lazily on the first `act`, so `make_policy("house")` works before the env
is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contracts.actions import Action
from contracts.errors import ConfigError, HandeyeError
from contracts.registry import check_options

if TYPE_CHECKING:
    from perception.grounding import Grounder
    from perception.screen.parser import ScreenParser
    from policies.house.robot import GroundedConfig
    from policies.planners.tabletop import TabletopPlannerConfig


@dataclass(frozen=True)
class HouseConfig:
    """Options of the house policy: camera frames read the camera ones, screens the screen ones."""

    grounder: Grounder | None = None  # camera: a built grounder (default: VLM or embedded)
    planner: TabletopPlannerConfig | None = None  # camera: the tabletop planner's settings
    config: GroundedConfig | None = None  # camera: perceive-plan-act rounds, push limits
    model: str | None = None  # camera: a VLM checkpoint folder, or the served name
    endpoint: str | None = None  # camera: an OpenAI-compatible server for that VLM
    backend: str | None = None  # camera: the VLM's grounder backend (transformers, http)
    weights: str | None = None  # embedded weights: the robot grounder's or the screen detector's
    parser: ScreenParser | None = None  # screens: a built screen parser
    ocr: str = "auto"  # screens: auto | rapidocr | tesseract | none
    min_score: float = 0.35  # screens: detections below this objectness are dropped
    threads: int = 1  # screens: CPU threads of the detector and the OCR
    ocr_min_score: float = 0.5  # screens: readings below this confidence come back as ""
    ocr_cache: int = 1024  # screens: OCR readings kept in the cache
    drawn_controls: bool = True  # screens: add fields and boxes found by their outline
    text_lines_from: int = 480  # screens: read running text as whole lines on frames this wide
    parse_cache: int = 4  # screens: parses kept, keyed by the frame's pixels (0: none)
    detect_width: int = 0  # screens: detect on the frame narrowed to this width (0: never)


CAMERA_OPTIONS = frozenset(
    {"grounder", "planner", "config", "model", "endpoint", "backend", "weights"}
)
SCREEN_OPTIONS = frozenset(
    {
        "parser",
        "weights",
        "ocr",
        "min_score",
        "threads",
        "ocr_min_score",
        "ocr_cache",
        "drawn_controls",
        "text_lines_from",
        "parse_cache",
        "detect_width",
    }
)


class HousePolicy:
    """Dispatches to the robot or the browser house policy on the first observation."""

    name = "house"
    privileged = False

    def __init__(self, **options: Any) -> None:
        check_options(HouseConfig, options, "policy 'house'")
        self._options = options
        self._impl: Any = None
        self._instruction = ""

    @property
    def last_extra(self) -> dict[str, Any]:
        """What the chosen policy wants recorded beside each action (state, action vector)."""
        return self._impl.last_extra if self._impl is not None else {}

    def _options_for(self, side: str, accepted: frozenset[str]) -> dict[str, Any]:
        """The options one side reads; an option only the other side reads is an error."""
        foreign = sorted(set(self._options) - accepted)
        if foreign:
            raise ConfigError(
                f"the house policy on {side} does not read {', '.join(foreign)}; "
                f"its options there: {', '.join(sorted(accepted))}"
            )
        return self._options

    def _choose(self, obs: dict[str, Any]) -> Any:
        if "rgb" in obs and "depth" in obs:
            from policies.house.robot import GroundedTabletopPolicy

            return GroundedTabletopPolicy(**self._options_for("camera frames", CAMERA_OPTIONS))
        if "screen" in obs:
            from policies.house.web import PlanWebPolicy

            return PlanWebPolicy(**self._options_for("screens", SCREEN_OPTIONS))
        raise HandeyeError(
            f"the house policy does not know observations with keys {sorted(obs)}; it takes"
            " screens (obs['screen']) or tabletop camera frames (rgb + depth)"
        )

    def reset(self, instruction: str) -> None:
        """Start a new episode (the backend, once chosen, is kept across episodes)."""
        self._instruction = instruction
        if self._impl is not None:
            self._impl.reset(instruction)

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """The chosen backend's action; the first call picks the backend."""
        if self._impl is None:
            self._impl = self._choose(obs)
            self._impl.reset(self._instruction)
        return self._impl.act(obs, info)

    def close(self) -> None:
        """Close the backend, if one was built."""
        if self._impl is not None:
            self._impl.close()
            self._impl = None
