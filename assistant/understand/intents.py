"""Intent from labelled examples (data/intents.yaml) scored by the embedding model, together with
structural features of the frame and the rule router's vote.

Each intent's score is the mean cosine similarity of the question to its three nearest examples;
features add fixed amounts (a unit was named → duty/who, numbers bound to quantities →
calculation, a person's title → roster). The confidence is the margin between the best and the
second-best intent; a low margin is not a refusal (see answer.service: retrieval-first).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

EXAMPLES_FILE = Path(__file__).with_name("data") / "intents.yaml"
NEAREST = 3
# How much the rule router's vote and each structural feature add to an intent's score; chosen on
# eval/questions.jsonl and eval/heldout.jsonl (never on a blind set).
RULE_VOTE = 0.03
FEATURE_WEIGHTS = {"unit": {"duty": 0.04, "who": -0.02}, "numbers": {"calculation": 0.2},
                   "person": {"roster": 0.06}, "indicator": {"target": 0.03}}
# The rule router's fall-through answers: the examples decide when the rules found nothing specific.
WEAK_RULE_INTENTS = ("general",)
# Over the rules' "general", an example intent must lead by this much (e5 similarities are close).
OVERRIDE_MARGIN = 0.05


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float  # best score − second best
    scores: dict[str, float]
    evidence: tuple[str, ...]


@lru_cache(maxsize=1)
def examples() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return {intent: tuple(items) for intent, items in data.items()}


_VECTORS: dict[str, list[tuple[str, list[float]]]] = {}


def _example_vectors(model_key: str, embed: Callable[[str], list[float]]) -> list[tuple[str, list[float]]]:
    """Example vectors, computed once per embedding model for the life of the process."""
    if model_key not in _VECTORS:
        _VECTORS[model_key] = [(intent, _unit(embed(text))) for intent, texts in examples().items() for text in texts]
    return _VECTORS[model_key]


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def classify(text: str, embed: Callable[[str], list[float]], model_key: str, rule_intent: str,
             features: dict[str, bool]) -> IntentScore:
    query = _unit(embed(text))
    by_intent: dict[str, list[float]] = {}
    for intent, vector in _example_vectors(model_key, embed):
        by_intent.setdefault(intent, []).append(sum(a * b for a, b in zip(query, vector)))
    scores = {intent: sum(sorted(sims, reverse=True)[:NEAREST]) / min(NEAREST, len(sims))
              for intent, sims in by_intent.items()}
    evidence = [f"例句相似度 {max(scores, key=scores.get)}"]
    if rule_intent not in WEAK_RULE_INTENTS:
        scores[rule_intent] = scores.get(rule_intent, 0.0) + RULE_VOTE
        evidence.append(f"规则 {rule_intent}")
    for feature, present in features.items():
        if present:
            for intent, weight in FEATURE_WEIGHTS.get(feature, {}).items():
                scores[intent] = scores.get(intent, 0.0) + weight
            evidence.append(f"特征 {feature}")
    if rule_intent in WEAK_RULE_INTENTS:
        lead = max(scores.values()) - scores.get(rule_intent, 0.0)
        if lead < OVERRIDE_MARGIN:
            scores[rule_intent] = max(scores.values()) + 1e-6
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, second = ranked[0], ranked[1] if len(ranked) > 1 else (ranked[0][0], 0.0)
    return IntentScore(best[0], round(best[1] - second[1], 4), {k: round(v, 4) for k, v in scores.items()},
                       tuple(evidence))
