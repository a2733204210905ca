"""Pointwise confidence intervals for predicted survival (R ``survival:::survfit_confint``)."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray

__all__ = ["CONF_TYPES", "check_level", "survival_ci"]

CONF_TYPES = ("log", "log-log", "plain")


def check_level(level: float) -> None:
    """A confidence level strictly between 0 and 1."""
    if not (isinstance(level, float | int) and 0.0 < float(level) < 1.0):
        raise InputError(
            "conf_level must be a number in (0, 1)",
            field="conf_level",
            value=level,
            rule="0 < x < 1",
        )


def survival_ci(
    surv: FloatArray, se_log: FloatArray, level: float, conf_type: str
) -> tuple[FloatArray, FloatArray]:
    """Limits for S with ``se_log`` the standard error of -log S (R ``logse = TRUE``).

    As R: ``log`` limits are NaN where S = 0 and the upper limit is capped at 1; ``log-log``
    limits are NaN where S is 0 or 1; ``plain`` limits are clipped to [0, 1].
    """
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = z * se_log * surv
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type == "log":
            xx = np.where(surv == 0, np.nan, surv)
            return xx * np.exp(-z * se_log), np.minimum(xx * np.exp(z * se_log), 1.0)
        xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
        lx = np.log(xx)
        half = z * se_log / lx
        lower = np.exp(-np.exp(np.log(-lx) - half))
        upper = np.exp(-np.exp(np.log(-lx) + half))
        return lower, upper
