"""In-memory limits of one server process: login attempts per client, and pending previews."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["PendingStore", "SlidingWindowLimiter"]

T = TypeVar("T")


class SlidingWindowLimiter:
    """At most ``rate`` hits per key in any ``window`` seconds (login attempts per client)."""

    def __init__(
        self,
        rate: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.rate = rate
        self.window = window
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def hit(self, key: str) -> bool:
        """Count one attempt for ``key``; ``False`` when it is over the limit (not counted)."""
        now = self._clock()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            self._hits.move_to_end(key)
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.rate:
                return False
            q.append(now)
            while len(self._hits) > self._max_keys:
                self._hits.popitem(last=False)
            return True


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    owner: str
    value: T
    at: float


class PendingStore(Generic[T]):
    """Interpreted results waiting for "save as draft", per user, for ``ttl`` seconds.

    The preview page carries only a random key; the server keeps the result, so what is saved
    is exactly what was shown, and one user cannot save another's preview.
    """

    def __init__(
        self, *, ttl: float = 1800.0, size: int = 500, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._items: OrderedDict[str, _Entry[T]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, owner: str, value: T) -> str:
        """Keep ``value`` for ``owner``; return its key."""
        key = secrets.token_urlsafe(18)
        with self._lock:
            self._items[key] = _Entry(owner=owner, value=value, at=self._clock())
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str, owner: str) -> T | None:
        """The value kept under ``key`` for ``owner`` (``None`` if unknown, expired or not
        theirs)."""
        with self._lock:
            e = self._items.get(key)
        if e is None or e.owner != owner or self._clock() - e.at > self._ttl:
            return None
        return e.value

    def pop(self, key: str, owner: str) -> T | None:
        """Like :meth:`get`, and forget it."""
        value = self.get(key, owner)
        if value is not None:
            with self._lock:
                self._items.pop(key, None)
        return value
