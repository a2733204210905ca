"""What one running app holds for its lifetime: settings, the workspace, caches and jobs."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from mrdguide.protocols import RuleSet
from mrdguide.services.jobs import JobManager
from mrdguide.services.mrd import MRDOutcome
from mrdguide.services.relapse_cache import RelapseModelCache
from mrdguide.services.workspace import Workspace
from mrdguide.settings import Settings
from mrdguide.web.core.config import WebSettings
from mrdguide.web.core.ratelimit import PendingStore, SlidingWindowLimiter

__all__ = ["AppState", "Preview", "StateCache"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Preview:
    """An interpreted result shown to a lab user, waiting for "save as draft"."""

    patient_id: str
    outcome: MRDOutcome
    what: str


class StateCache:
    """Small LRU of values computed at one registry data state (the patient list pages)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        """The value under ``key`` (``None`` when absent)."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(slots=True, kw_only=True)
class AppState:
    """The app's long-lived parts (``app.state.mrdguide``)."""

    settings: Settings
    web: WebSettings
    workspace: Workspace
    version: str
    rulesets: tuple[RuleSet, ...]
    relapse: RelapseModelCache
    jobs: JobManager
    login_limiter: SlidingWindowLimiter
    pending: PendingStore[Preview] = field(default_factory=PendingStore)
    lists: StateCache = field(default_factory=StateCache)
