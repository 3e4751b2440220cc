"""Group mode: participants' weights, their spread, the group's weights and SMAA-2 on the cloud.

Aggregation (both are the usual rules of group decision making, Forman & Peniwati 1998, EJOR
108:165–169):

- when every participant gave AHP judgments: the element-wise **geometric mean of the
  judgments** (aggregation of individual judgments), resolved by the AHP eigenvector, with its
  consistency ratio;
- otherwise the **arithmetic mean of the normalised weights** (an AHP submission counts with
  its eigenvector weights).

SMAA-2 then samples weights uniformly within ±m of the group weights, m being the largest
deviation of any participant from them on any criterion (`mca.scoring.smaa`, margin scheme), so
the room sees which sites stay on top across its own disagreement.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mca.scoring import smaa
from mca.scoring.weights import AHPWeights, WeightSet, WeightsResult, ahp_priorities

SMAA_SAMPLES = 4_000
"""Weight samples for the room's SMAA (assumption: acceptabilities to about ±0.015)."""
SMAA_TOP = 15
"""Sites listed in the robustness table."""


@dataclass(frozen=True)
class Submission:
    """One participant's weight set and its resolved weights."""

    name: str
    weight_set: WeightSet
    resolved: WeightsResult

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, method, the weight set as given and the normalised weights."""
        return {
            "name": self.name,
            "method": self.weight_set.method,
            "given": self.weight_set.model_dump(exclude={"description"}),
            "weights": {c: round(w, 6) for c, w in self.resolved.weights.items()},
            "consistency_ratio": self.resolved.consistency_ratio,
        }


class Group:
    """The room's submissions, one per participant name (a new submission replaces the old)."""

    def __init__(self, criteria: list[str]) -> None:
        self.criteria = criteria
        self._submissions: dict[str, Submission] = {}
        self._lock = threading.Lock()

    def submit(self, submission: Submission) -> None:
        """Add or replace a participant's submission."""
        with self._lock:
            self._submissions[submission.name] = submission

    def submissions(self) -> list[Submission]:
        """The submissions in the order they first arrived."""
        with self._lock:
            return list(self._submissions.values())

    def weight_matrix(self) -> np.ndarray:
        """Participants × criteria normalised weights."""
        return np.array([[s.resolved.weights[c] for c in self.criteria] for s in self.submissions()])

    def aggregate(self) -> tuple[dict[str, float], str, float | None]:
        """The group weights, the rule used, and the consistency ratio (AHP aggregation only)."""
        submissions = self.submissions()
        if not submissions:
            return {}, "no submissions", None
        ahp = [s.weight_set for s in submissions if isinstance(s.weight_set, AHPWeights)]
        if len(ahp) == len(submissions):
            vector, cr = ahp_group_weights(ahp, self.criteria)
            return dict(zip(self.criteria, vector.tolist())), "geometric mean of the AHP judgments", cr
        mean = self.weight_matrix().mean(axis=0)
        return dict(zip(self.criteria, (mean / mean.sum()).tolist())), "mean of the normalised weights", None

    def summary(self) -> dict[str, Any]:
        """Submissions, spread per criterion (min, mean, max, standard deviation) and the aggregate."""
        weights, rule, cr = self.aggregate()
        matrix = self.weight_matrix()
        spread = []
        if len(matrix):
            for j, criterion in enumerate(self.criteria):
                column = matrix[:, j]
                spread.append(
                    {
                        "criterion": criterion,
                        "min": round(float(column.min()), 4),
                        "mean": round(float(column.mean()), 4),
                        "max": round(float(column.max()), 4),
                        "sd": round(float(column.std()), 4),
                    }
                )
        return {
            "participants": [s.to_dict() for s in self.submissions()],
            "spread": spread,
            "aggregate": {c: round(w, 6) for c, w in weights.items()},
            "rule": rule,
            "consistency_ratio": cr,
        }

    def robustness(self, values: pd.DataFrame, names: pd.Series) -> dict[str, Any]:
        """SMAA-2 of the eligible sites' value scores over the room's weight cloud."""
        weights, _rule, _cr = self.aggregate()
        if not weights:
            return {"margin": None, "sites": [], "scheme": "no submissions yet"}
        base = np.array([weights[c] for c in self.criteria])
        # rounded: a margin of floating-point noise (identical submissions) would make the
        # rejection sampler refuse every sample; below a millionth it is no margin at all
        margin = round(float(np.abs(self.weight_matrix() - base).max()), 6)
        result = smaa(values, self.criteria, samples=SMAA_SAMPLES, margin=margin, base_weights=weights, seed=0)
        order = result.expected_rank.sort_values(kind="mergesort").index[:SMAA_TOP]
        full = result.acceptability_full
        top3 = full.iloc[:, : min(3, full.shape[1])].sum(axis=1)
        sites = [
            {
                "site_id": site,
                "name": str(names.get(site, site)),
                "expected_rank": round(float(result.expected_rank[site]), 2),
                "first": round(float(full.at[site, 1]), 3),
                "top3": round(float(top3[site]), 3),
            }
            for site in order
        ]
        return {"margin": round(margin, 4), "sites": sites, "scheme": result.scheme}


def ahp_group_weights(judgments: list[AHPWeights], criteria: list[str]) -> tuple[np.ndarray, float]:
    """Eigenvector weights and consistency ratio of the geometric mean of the participants' matrices.

    Every participant's judgments cover exactly ``criteria`` (checked when they submit).
    """
    logs = np.zeros((len(criteria), len(criteria)))
    for weight_set in judgments:
        names, matrix = weight_set.matrix()
        index = [names.index(c) for c in criteria]
        logs += np.log(matrix[np.ix_(index, index)])
    vector, _lambda, _ci, cr = ahp_priorities(np.exp(logs / len(judgments)))
    return vector, cr
