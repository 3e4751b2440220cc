"""The contract of an aggregation method, checked once when the method is registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from skcriteria.agg import ResultABC, SKCDecisionMakerABC

from mca.core.registry import Registry

Yields = Literal["scores", "ranks"]


@dataclass(frozen=True)
class AggregationMethod:
    """One way of turning value scores into a score per site, carried out by scikit-criteria.

    ``decision_maker``: the scikit-criteria class, used with its defaults; ``score(result)``: the
    site scores (higher is better) read from its result. ``yields``: ``"scores"`` when the score
    is a cardinal value, ``"ranks"`` when it only encodes an ordinal position.
    ``contributions``: the score is Σ weight × value score, so per-criterion contributions add
    up to it. ``needs_contrast``: the method is undefined when every site is equal on every
    weighted criterion; all sites then tie with score 1.
    """

    name: str
    description: str
    decision_maker: type[SKCDecisionMakerABC]
    score: Callable[[ResultABC], np.ndarray]
    yields: Yields
    contributions: bool = False
    needs_contrast: bool = True
    aliases: tuple[str, ...] = ()


def check_method(method: Any, _registry: Registry[AggregationMethod]) -> None:
    """Refuse a method that breaks the contract of `AggregationMethod`."""
    if not isinstance(method, AggregationMethod):
        raise TypeError(f"expected an AggregationMethod, got {type(method).__name__}")
    if not method.description.strip():
        raise ValueError("needs a description")
    if not (isinstance(method.decision_maker, type) and issubclass(method.decision_maker, SKCDecisionMakerABC)):
        raise TypeError("decision_maker must be a scikit-criteria decision-maker class (SKCDecisionMakerABC)")
    if not callable(method.score):
        raise TypeError("score must be a function of the scikit-criteria result")
    if method.yields not in ("scores", "ranks"):
        raise ValueError(f"yields must be 'scores' or 'ranks', not {method.yields!r}")
    if method.contributions and (method.yields != "scores" or method.needs_contrast):
        raise ValueError("only an additive method of cardinal scores defined for equal sites has contributions")
