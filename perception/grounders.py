"""The one registry of grounder backends: a name -> factory map the CLI, policies and tests share.

"transformers": a local checkpoint folder (`perception.vlm.transformers_backend`); "http": an
OpenAI-compatible server (`perception.vlm.http_backend`); "house": the embedded CPU default, screen
parser + phrase grounding with bundled weights (`perception.screen.house_grounder`), chosen when a
call names neither a model nor an endpoint. Factories import their backend when
called, so listing or choosing a backend costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.errors import SetupError
from perception.grounding import Grounder

GrounderFactory = Callable[..., Grounder]


def _transformers(**options: Any) -> Grounder:
    from perception.vlm.transformers_backend import TransformersGrounder

    return TransformersGrounder(**options)


def _http(**options: Any) -> Grounder:
    from perception.vlm.http_backend import HTTPGrounder

    return HTTPGrounder(**options)


def _house(**options: Any) -> Grounder:
    from perception.screen.house_grounder import HouseGrounder

    return HouseGrounder(**options)


GROUNDERS: dict[str, GrounderFactory] = {
    "transformers": _transformers,
    "http": _http,
    "house": _house,
}


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
    factory = GROUNDERS.get(name)
    if factory is None:
        raise SetupError(
            f"unknown grounder backend {name!r}; known: {', '.join(sorted(GROUNDERS))}"
        )
    if name == "http":
        if not endpoint or not model:
            raise SetupError("the http backend needs --endpoint URL and --model NAME (served name)")
        return factory(base_url=endpoint, model=model, **options)
    if name == "transformers":
        if not model:
            raise SetupError("the transformers backend needs --model PATH (a checkpoint folder)")
        if endpoint:
            raise SetupError("--endpoint is for the http backend; drop it or use --backend http")
        return factory(model=model, **options)
    extra = {k: v for k, v in (("model", model), ("endpoint", endpoint)) if v}
    return factory(**extra, **options)
