"""Sentence similarity for words the lexicon lacks (an unknown verb or element noun), from any
embedder that returns unit vectors; the parser works without it."""

from __future__ import annotations

import importlib
from typing import Any

from perception.instructions.phrases import Similarity

# Where the project's MiniLM embedder has lived; imported only when asked for.
_EMBEDDER_MODULES = ("perception.screen.phrase_grounding", "perception.instruction_grounding")


def embedder_similarity(embedder: Any) -> Similarity:
    """Cosine similarity from an object whose `encode(texts)` returns unit vectors (n, d)."""

    def similarity(query: str, candidates: list[str]) -> list[float]:
        vectors = embedder.encode([query, *candidates])
        return [float(v @ vectors[0]) for v in vectors[1:]]

    return similarity


def minilm_similarity() -> Similarity:
    """Similarity from the project's bundled MiniLM `TextEmbedder`, imported lazily; raises
    ImportError naming the extra to install when neither it nor its weights are there."""
    for name in _EMBEDDER_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "TextEmbedder"):
            return embedder_similarity(module.TextEmbedder())
    raise ImportError("no MiniLM TextEmbedder found; install handeye[house] for the embedder")
