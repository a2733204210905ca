"""The web application (``mrdguide serve``; ``pip install 'mrdguide[web]'``).

An edge adapter beside the CLI: FastAPI routes that call :mod:`mrdguide.services` only.
Server-rendered pages (Jinja2 and vendored htmx 2) for the laboratory, reviewers, clinicians,
statisticians and administrators, and a JSON API under ``/api/v1`` with bearer tokens.
"""

from mrdguide.web.app import create_app
from mrdguide.web.core.config import WebSettings

__all__ = ["WebSettings", "create_app"]
