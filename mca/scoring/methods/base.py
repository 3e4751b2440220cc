"""The contract of an aggregation method, checked once when the method is registered."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from mca.core.registry import Registry

if TYPE_CHECKING:
    from skcriteria.agg import ResultABC, SKCDecisionMakerABC

Yields = Literal["scores", "ranks"]


@dataclass(frozen=True)
class AggregationMethod:
    """One way of turning value scores into a score per site, carried out by scikit-criteria.

    ``decision_maker``: the scikit-criteria class, used with its defaults, or its import path
    ``"module:Class"`` (imported on first use, so that the command line starts without
    scikit-criteria and the scipy.stats and seaborn it pulls in); ``score(result)``: the
    site scores (higher is better) read from its result. ``yields``: ``"scores"`` when the score
    is a cardinal value, ``"ranks"`` when it only encodes an ordinal position.
    ``contributions``: the score is Σ weight × value score, so per-criterion contributions add
    up to it. ``needs_contrast``: the method is undefined when every site is equal on every
    weighted criterion; all sites then tie with score 1. ``closed_form(values, weights)``: the
    same scores computed directly on the arrays, for a method that is a formula (the weighted
    sum); the run then needs no scikit-criteria import (0.45 s with scipy.stats and seaborn), and
    a test holds it equal to the decision maker's scores.
    """

    name: str
    description: str
    decision_maker: type[SKCDecisionMakerABC] | str
    score: Callable[[ResultABC], np.ndarray]
    yields: Yields
    contributions: bool = False
    needs_contrast: bool = True
    aliases: tuple[str, ...] = ()
    closed_form: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def decision_maker_class(self) -> type[SKCDecisionMakerABC]:
        """The scikit-criteria class, imported now if it was given as ``"module:Class"``."""
        if isinstance(self.decision_maker, str):
            module, _, name = self.decision_maker.partition(":")
            maker: type[SKCDecisionMakerABC] = getattr(importlib.import_module(module), name)
            return maker
        return self.decision_maker


def check_method(method: Any, _registry: Registry[AggregationMethod]) -> None:
    """Refuse a method that breaks the contract of `AggregationMethod`."""
    if not isinstance(method, AggregationMethod):
        raise TypeError(f"expected an AggregationMethod, got {type(method).__name__}")
    if not method.description.strip():
        raise ValueError("needs a description")
    lazy = isinstance(method.decision_maker, str) and method.decision_maker.startswith("skcriteria.agg.")
    if not lazy and not _is_decision_maker(method.decision_maker):
        raise TypeError("decision_maker must be a scikit-criteria decision-maker class (SKCDecisionMakerABC)")
    if not callable(method.score):
        raise TypeError("score must be a function of the scikit-criteria result")
    if method.closed_form is not None and not callable(method.closed_form):
        raise TypeError("closed_form must be a function of the value scores and the weights")
    if method.yields not in ("scores", "ranks"):
        raise ValueError(f"yields must be 'scores' or 'ranks', not {method.yields!r}")
    if method.contributions and (method.yields != "scores" or method.needs_contrast):
        raise ValueError("only an additive method of cardinal scores defined for equal sites has contributions")


def _is_decision_maker(candidate: Any) -> bool:
    from skcriteria.agg import SKCDecisionMakerABC

    return isinstance(candidate, type) and issubclass(candidate, SKCDecisionMakerABC)
