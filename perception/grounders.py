"""The one registry of grounder backends: a name -> factory map the CLI, policies and tests share.

"transformers": a local checkpoint folder (`perception.vlm.transformers_backend`); "http": an
OpenAI-compatible server (`perception.vlm.http_backend`); "house": the embedded CPU default, screen
parser + phrase grounding with bundled weights (`perception.screen.house_grounder`), chosen when a
call names neither a model nor an endpoint. Factories import their backend when
called, so listing or choosing a backend costs nothing.
"""

from __future__ import annotations

from typing import Any

from contracts.errors import SetupError
from contracts.registry import Registry
from perception.grounding import Grounder

GROUNDERS = Registry("grounder backend")
GROUNDERS.register(
    "transformers",
    "perception.vlm.transformers_backend:TransformersGrounder",
    "perception.vlm.transformers_backend:TransformersConfig",
)
GROUNDERS.register(
    "http", "perception.vlm.http_backend:HTTPGrounder", "perception.vlm.http_backend:HTTPConfig"
)
GROUNDERS.register(
    "house",
    "perception.screen.house_grounder:HouseGrounder",
    "perception.screen.house_grounder:HouseGrounderConfig",
)


def default_backend(model: str | None = None, endpoint: str | None = None) -> str:
    """The backend a call means: http for an endpoint, transformers for a model, else house."""
    if endpoint:
        return "http"
    if model:
        return "transformers"
    if "house" in GROUNDERS:
        return "house"
    raise SetupError(
        "no grounder chosen: pass --model PATH (a local checkpoint folder) or "
        "--endpoint URL --model NAME (an OpenAI-compatible server)"
    )


def make_grounder(
    backend: str | None = None,
    *,
    model: str | None = None,
    endpoint: str | None = None,
    **options: Any,
) -> Grounder:
    """Build a grounder by backend name; model/endpoint fill the backend's own fields."""
    name = backend or default_backend(model, endpoint)
    GROUNDERS.entry(name)  # an unknown name is an error before any backend check
    if name == "http":
        if not endpoint or not model:
            raise SetupError("the http backend needs --endpoint URL and --model NAME (served name)")
        return GROUNDERS.make(name, base_url=endpoint, model=model, **options)
    if name == "transformers":
        if not model:
            raise SetupError("the transformers backend needs --model PATH (a checkpoint folder)")
        if endpoint:
            raise SetupError("--endpoint is for the http backend; drop it or use --backend http")
        return GROUNDERS.make(name, model=model, **options)
    if model:  # --model names the house backend's detector weights
        options["weights"] = model
    if endpoint:
        options["endpoint"] = endpoint  # refused by name: the house backend serves nothing
    return GROUNDERS.make(name, **options)
