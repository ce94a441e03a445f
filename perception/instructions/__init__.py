"""Instruction understanding: free-form English to a plan of steps (verb, target, value), by
one grammar over a lexicon of verb frames, element kinds, relations, ordinals and keys."""

from perception.instructions.parser import parse_instruction
from perception.instructions.plan import (
    ALL,
    ANSWER,
    KINDS,
    RELATIONS,
    VERBS,
    Look,
    Plan,
    Step,
    Target,
)
from perception.instructions.similarity import embedder_similarity, minilm_similarity

__all__ = [
    "ALL",
    "ANSWER",
    "KINDS",
    "RELATIONS",
    "VERBS",
    "Look",
    "Plan",
    "Step",
    "Target",
    "embedder_similarity",
    "minilm_similarity",
    "parse_instruction",
]
