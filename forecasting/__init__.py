"""Pure demand forecasting: series preparation, models, backtest-based model choice, policy maths.

Plain data in, frozen dataclasses out; no I/O (except the ``evaluate`` CLI), no global state, no
clock. Imports nothing from flask, sqlalchemy or ``scm``.
"""

from .engine import default_candidates, forecast_many, forecast_series
from .models import REGISTRY, Model
from .series import classify, impute_missing, prepare_series
from .types import CandidateScore, Classification, ForecastResult, ModelOutput, SeriesInput

__all__ = [
    "REGISTRY", "CandidateScore", "Classification", "ForecastResult", "Model", "ModelOutput",
    "SeriesInput", "classify", "default_candidates", "forecast_many", "forecast_series",
    "impute_missing", "prepare_series",
]
