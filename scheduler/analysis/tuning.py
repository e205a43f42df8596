"""Weight tuning: solve one scenario under many weight settings, compare every figure, mark the
Pareto front, and write the chosen setting back into the scenario document.

Settings are partial ``weights`` maps (terms of :data:`scheduler.weights.TERMS`) laid over the
scenario's own. Solves run in separate processes, started afresh ("spawn": safe from a threaded
parent such as a Jupyter kernel), so the scenario travels as its JSON document.
"""

from __future__ import annotations

import copy
import itertools
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from scheduler.analysis.frames import evaluation
from scheduler.contract.errors import did_you_mean
from scheduler.loader import load_scenario
from scheduler.solver import solve
from scheduler.weights import TERMS

WEIGHT_PREFIX = "w_"
"""Prefix of the weight columns of :func:`sweep` (``w_trips``, ...)."""

PARETO_KPIS: tuple[str, ...] = ("trips", "disruption", "practitioner_travel_minutes")
"""The figures :func:`sweep` marks the Pareto front over unless told otherwise."""

TOTAL_KPIS: tuple[str, ...] = ("sessions", "session_minutes")
"""Figures of a sweep row besides the objective's raw terms: summed over clients."""

Setting = Mapping[str, float]
Settings = Sequence[Setting] | Mapping[str, Sequence[float]]


def weight_grid(grid: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Every combination of the values of ``grid`` (term -> values), in product order."""
    terms = list(grid)
    return [dict(zip(terms, values, strict=True)) for values in itertools.product(*grid.values())]


def with_weights(document: Mapping[str, Any], setting: Setting) -> dict[str, Any]:
    """A copy of the scenario ``document`` whose ``weights`` have ``setting`` laid over them.

    Raises ``ValueError`` for a term that is not one of :data:`~scheduler.weights.TERMS`.
    """
    unknown = [term for term in setting if term not in TERMS]
    if unknown:
        raise ValueError(f'no objective term "{unknown[0]}"{did_you_mean(unknown[0], list(TERMS))}')
    updated = copy.deepcopy(dict(document))
    updated["weights"] = {**updated.get("weights", {}), **{k: float(v) for k, v in setting.items()}}
    return updated


def setting_of(row: Mapping[str, Any]) -> dict[str, float]:
    """The full weights of one :func:`sweep` row (a ``Series`` or mapping), by term."""
    return {term: float(row[WEIGHT_PREFIX + term]) for term in TERMS}


def sweep(
    document: Mapping[str, Any],
    settings: Settings,
    *,
    time_limit: float = 5.0,
    processes: int | None = None,
    seed: int = 0,
    pareto_on: Sequence[str] = PARETO_KPIS,
) -> pd.DataFrame:
    """Solve the scenario ``document`` once per weight setting and return one row per setting.

    ``settings`` is a list of partial weight maps or a grid (term -> values, every combination).
    Each solve has ``time_limit`` seconds and one search worker; up to ``processes`` (default:
    the machine's cores) run at once. Columns: ``w_<term>`` (the full weights), ``status``,
    ``objective``, ``solve_seconds``, every term's raw figure (``trips`` ... ``dropped_optional``)
    and :data:`TOTAL_KPIS` (NaN without a pattern), and ``pareto``: the rows no other row
    beats on ``pareto_on`` (all minimised). Raises the loader's ``ScenarioError`` or
    ``ValueError`` before solving when a setting is not valid.
    """
    chosen = weight_grid(settings) if isinstance(settings, Mapping) else list(settings)
    documents = [with_weights(document, setting) for setting in chosen]
    for doc in documents:
        load_scenario(doc)
    workers = min(len(documents), processes or os.cpu_count() or 1)
    jobs = [(doc, time_limit, seed) for doc in documents]
    rows: list[dict[str, Any]]
    if workers > 1:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
            rows = list(pool.map(_solve_row, jobs))
    else:
        rows = [_solve_row(job) for job in jobs]
    frame = pd.DataFrame(rows)
    frame["pareto"] = pareto_mask(frame, pareto_on)
    return frame


def _solve_row(job: tuple[dict[str, Any], float, int]) -> dict[str, Any]:
    """Solve one document (in a worker process) and read its figures with the validator."""
    document, time_limit, seed = job
    scenario = load_scenario(document)
    result = solve(scenario, time_limit=time_limit, workers=1, seed=seed)
    row: dict[str, Any] = {WEIGHT_PREFIX + term: scenario.weights.of(term) for term in TERMS}
    row |= {"status": result.status, "objective": result.objective, "solve_seconds": result.runtime}
    if not result.has_schedule:
        return row | dict.fromkeys((*TERMS, *TOTAL_KPIS), float("nan"))
    figures = evaluation(scenario, result)
    row |= figures.raw
    return row | {key: sum(kpis[key] for kpis in figures.kpis.values()) for key in TOTAL_KPIS}


def pareto_mask(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series[bool]:
    """True for the rows that no other row dominates on ``columns`` (all minimised).

    A row dominates another when it is no worse on every column and better on one; rows with a
    missing figure are never on the front and dominate nothing. Equal rows are both on it.
    """
    values = frame[list(columns)].to_numpy(dtype=float)
    complete = ~np.isnan(values).any(axis=1)
    others = values[complete]
    on_front = [
        bool(ok) and not ((others <= row).all(axis=1) & (others < row).any(axis=1)).any()
        for row, ok in zip(values, complete, strict=True)
    ]
    return pd.Series(on_front, index=frame.index, dtype=bool)
