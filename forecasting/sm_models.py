"""statsmodels state-space models: ETS (ETSModel) and SARIMAX with a promotion regressor.

statsmodels is imported inside the functions so importing ``forecasting`` stays cheap (no work at
import time) and worker processes that never need these models never pay for the import. These
models produce their own 80%/95% prediction intervals. Warnings are not handled here: the backtest
and engine record them into the result (see ``backtest.run_model``).
"""

from __future__ import annotations

import numpy as np

from .types import ModelOutput

_MAXITER = 200


def ets_min_length(season: int) -> int:
    """ETS needs a few observations per parameter; seasonal form only from two seasons on."""
    return 10


def _ets_seasonal(n: int, season: int) -> bool:
    return season > 1 and n >= 2 * season + 2


def ets_fit_predict(y: np.ndarray, horizon: int, season: int,
                    exog: np.ndarray | None = None, exog_future: np.ndarray | None = None) -> ModelOutput:
    """ETS(A,Ad,A) state-space model (A,Ad,N when the series is shorter than two seasons), fitted by
    maximum likelihood with estimated initial states; intervals from the model's forecast variance."""
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasonal = _ets_seasonal(len(y), season)
    # A pandas Series, because ETSResults.get_prediction fails on plain arrays (statsmodels 0.15).
    model = ETSModel(
        pd.Series(np.asarray(y, float)), error="add", trend="add", damped_trend=True,
        seasonal="add" if seasonal else None, seasonal_periods=season if seasonal else None,
        initialization_method="estimated",
    )
    fit = model.fit(disp=False, maxiter=_MAXITER)
    pred = fit.get_prediction(start=len(y), end=len(y) + horizon - 1)
    f80 = pred.summary_frame(alpha=0.2)
    f95 = pred.summary_frame(alpha=0.05)
    params = {name: float(v) for name, v in zip(fit.param_names, fit.params)
              if not name.startswith("initial")}
    params["aicc"] = float(fit.aicc)
    return ModelOutput(
        mean=np.asarray(f80["mean"], float),
        lower80=np.asarray(f80["pi_lower"], float), upper80=np.asarray(f80["pi_upper"], float),
        lower95=np.asarray(f95["pi_lower"], float), upper95=np.asarray(f95["pi_upper"], float),
        params=params,
    )


def sarimax_min_length(season: int) -> int:
    """Enough data to difference once (and seasonally, when seasonal) and estimate a few terms."""
    return 12


def sarimax_fit_predict(y: np.ndarray, horizon: int, season: int,
                        exog: np.ndarray | None = None, exog_future: np.ndarray | None = None) -> ModelOutput:
    """SARIMAX with the promotion regressor as exogenous variable.

    Airline model (0,1,1)(0,1,1)m when there are three seasons of data, else ARIMA(1,1,1). The
    regressor's coefficient is the additive promotion effect in demand units per period.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = np.asarray(y, float)
    seasonal = season > 1 and len(y) >= 3 * season
    order = (0, 1, 1) if seasonal else (1, 1, 1)
    seasonal_order = (0, 1, 1, season) if seasonal else (0, 0, 0, 0)
    ex = None if exog is None else np.asarray(exog, float).reshape(len(y), -1)
    ex_f = None
    if ex is not None:
        ex_f = np.zeros((horizon, ex.shape[1])) if exog_future is None else \
            np.asarray(exog_future, float).reshape(horizon, -1)
    model = SARIMAX(y, exog=ex, order=order, seasonal_order=seasonal_order)
    fit = model.fit(disp=False, maxiter=50)
    fc = fit.get_forecast(steps=horizon, exog=ex_f)
    ci80 = np.asarray(fc.conf_int(alpha=0.2))
    ci95 = np.asarray(fc.conf_int(alpha=0.05))
    params = {name: float(v) for name, v in zip(fit.model.param_names, np.asarray(fit.params))}
    params.update(order=list(order), seasonal_order=list(seasonal_order))
    return ModelOutput(
        mean=np.asarray(fc.predicted_mean, float),
        lower80=ci80[:, 0], upper80=ci80[:, 1], lower95=ci95[:, 0], upper95=ci95[:, 1],
        params=params,
    )
