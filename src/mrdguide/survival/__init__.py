"""Survival and competing-risks estimators (pure core)."""

from mrdguide.survival._types import TestResult

__all__ = ["TestResult"]
