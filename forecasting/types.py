"""Plain data carried in and out of the forecasting engine.

Everything here is a frozen dataclass of tuples and floats so results pickle cheaply across
processes, compare by value (``forecast_many`` with 1 or 2 workers gives equal results) and can be
turned into JSON for the planning UI with ``as_dict``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Hashable

import numpy as np

#: Demand classes (Syntetos-Boylan) plus ``new`` for items with too little history.
CATEGORIES = ("smooth", "erratic", "intermittent", "lumpy", "new")


def _as_float_tuple(values: Any, name: str) -> tuple[float, ...]:
    """Return ``values`` as a tuple of finite floats or raise ValueError naming the field."""
    arr = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers (found NaN or infinity)")
    return tuple(float(v) for v in arr)


@dataclass(frozen=True)
class SeriesInput:
    """A regular demand series for one item (usually one item x warehouse), oldest period first.

    ``values`` are demand quantities per period (never negative). ``missing`` flags periods whose
    demand was not observed (mostly stock-outs): their values are ignored, re-imputed by the engine
    and never used to score a backtest. ``promotions`` is the per-period promotion regressor of the
    history (0/1 or the expected uplift fraction), aligned with ``values``. ``period_starts`` are
    ISO dates of each period's first day, for display only.
    """

    key: Hashable
    values: tuple[float, ...]
    missing: tuple[bool, ...] | None = None
    promotions: tuple[float, ...] | None = None
    period_starts: tuple[str, ...] | None = None
    freq: str = "W"

    def __post_init__(self) -> None:
        values = _as_float_tuple(self.values, "values")
        if any(v < 0 for v in values):
            first = next(i for i, v in enumerate(values) if v < 0)
            raise ValueError(
                f"demand must not be negative: series {self.key!r} has {values[first]} at period {first}"
            )
        object.__setattr__(self, "values", values)
        n = len(values)
        if self.missing is not None:
            missing = tuple(bool(m) for m in np.asarray(self.missing).ravel())
            if len(missing) != n:
                raise ValueError(f"missing has {len(missing)} flags for {n} values")
            object.__setattr__(self, "missing", missing)
        if self.promotions is not None:
            promos = _as_float_tuple(self.promotions, "promotions")
            if len(promos) != n:
                raise ValueError(f"promotions has {len(promos)} entries for {n} values")
            object.__setattr__(self, "promotions", promos)
        if self.period_starts is not None and len(self.period_starts) != n:
            raise ValueError(f"period_starts has {len(self.period_starts)} entries for {n} values")


@dataclass(frozen=True)
class Classification:
    """Syntetos-Boylan demand class of a series and the statistics behind it.

    ``adi`` is the average inter-demand interval in periods (inf when there was no demand),
    ``cv2`` the squared coefficient of variation of the non-zero demand sizes.
    """

    category: str
    adi: float
    cv2: float
    n_periods: int
    n_nonzero: int


@dataclass(frozen=True)
class ModelOutput:
    """What one model returns for one fit: point forecast, optional own intervals, parameters."""

    mean: np.ndarray
    lower80: np.ndarray | None = None
    upper80: np.ndarray | None = None
    lower95: np.ndarray | None = None
    upper95: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def has_intervals(self) -> bool:
        """True when the model produced its own 80% and 95% intervals."""
        return self.lower80 is not None and self.upper95 is not None


@dataclass(frozen=True)
class CandidateScore:
    """Rolling-origin backtest score of one candidate model (lower MASE is better).

    ``mase`` is the mean over backtest origins of MAE / in-sample (seasonal) naive MAE, newer
    origins weighted more (see ``backtest.ORIGIN_DECAY``); ``wape`` is sum|error| / sum(actual).
    ``bias`` is sum(forecast - actual) / sum(actual) over the backtest windows, so +0.1 means the
    model over-forecast by 10%. ``error`` is set when the model failed and was not chosen for that reason.
    """

    model: str
    mase: float
    wape: float
    bias: float
    n_origins: int
    error: str | None = None


@dataclass(frozen=True)
class ForecastResult:
    """The forecast of one series: the chosen model, its forecast and why it was chosen.

    ``sigma`` is the standard deviation of forecast error for each horizon step (root mean squared
    backtest error, in demand units per period); the replenishment planner uses it for safety stock.
    ``backtest`` lists every candidate's score, best first, so a UI can explain the choice.
    """

    key: Hashable
    model: str
    params: dict[str, Any]
    mean: tuple[float, ...]
    lo80: tuple[float, ...]
    hi80: tuple[float, ...]
    lo95: tuple[float, ...]
    hi95: tuple[float, ...]
    sigma: tuple[float, ...]
    backtest: tuple[CandidateScore, ...]
    classification: Classification
    interval_method: str
    promo_uplift: float | None = None
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (infinities become None)."""
        return _json_safe(asdict(self))


def _json_safe(obj: Any) -> Any:
    """Recursively replace non-finite floats and numpy scalars so json.dumps accepts the result."""
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj
