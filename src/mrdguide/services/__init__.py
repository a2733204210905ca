"""Application services: workflows that compose the core and the adapters (used by the CLI)."""

from mrdguide.services.pipeline import DemoConfig, DemoResult, run_demo

__all__ = ["DemoConfig", "DemoResult", "run_demo"]
