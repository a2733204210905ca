"""The registry's data state, and the relapse model fitted once per state for the web app.

Fitting the genotype-specific relapse model reads every authorised case (seconds on the
3,000-patient demo registry). A long-running process keeps one fitted model and refits it only
when the authorised data changed: :func:`data_state` is the id of the newest audit record that
changed a case, an MRD result or a review state, so any such write gives a new state.

Warnings of the fit (for example a Fine–Gray fit that did not converge) are kept with the
model and shown with its estimates. By default the refit runs in a background thread, and
requests keep using the previous model (and say so) until it is done; a request never waits
for a fit.
"""

from __future__ import annotations

import datetime as dt
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from mrdguide.errors import MRDGuideError
from mrdguide.services.genotype import GenotypeResult, fit_genotype_model
from mrdguide.store import Registry
from mrdguide.store.tables import AuditRow

__all__ = ["DATA_ENTITIES", "FittedModel", "ModelStatus", "RelapseModelCache", "data_state"]

#: Audit entities whose records change what a patient page or the cohort shows (stored
#: assessments included: the page names its source).
DATA_ENTITIES: tuple[str, ...] = ("case", "mrd", "review", "assignment")


def data_state(reg: Registry) -> int:
    """The id of the newest audit record of :data:`DATA_ENTITIES` (0 for an empty registry)."""
    # Newest first with a limit: the scan stops at the first data record, so the cost does not
    # grow with the length of the trail (sign-ins append records of other entities).
    stmt = (
        select(AuditRow.id)
        .where(AuditRow.entity.in_(DATA_ENTITIES))
        .order_by(AuditRow.id.desc())
        .limit(1)
    )
    with reg.transaction(write=False) as s:
        return int(s.scalar(stmt) or 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class FittedModel:
    """A model fitted on the registry at one data state (``result`` None: not estimable)."""

    state: int
    result: GenotypeResult | None
    fitted_at: dt.datetime
    n_patients: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelStatus:
    """What a request may use: the newest fitted model and whether it is current."""

    model: FittedModel | None
    current: bool
    fitting: bool
    error: str | None = None


class RelapseModelCache:
    """One fitted relapse model per registry data state, refitted when the state changes.

    Parameters
    ----------
    registry : callable
        Makes a new unit of work (``Workspace.registry``); the background fit uses its own.
    version : str
        mrdguide version recorded in the model's provenance.
    background : bool, optional
        Refit in a daemon thread (default) or in the calling request (tests).
    clock : callable, optional
        UTC time of a fit.
    """

    def __init__(
        self,
        registry: Callable[[], Registry],
        *,
        version: str,
        background: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._registry = registry
        self._version = version
        self._background = background
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._model: FittedModel | None = None
        self._fitting: int | None = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    def _fit(self, state: int) -> None:
        try:
            reg = self._registry()
            cases = list(reg.iter_cases())
            when = self._clock()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fit_genotype_model(cases, version=self._version, fit_date=when.isoformat())
            notes = tuple(dict.fromkeys(str(w.message) for w in caught))
            model = FittedModel(
                state=state, result=result, fitted_at=when, n_patients=len(cases), warnings=notes
            )
            with self._lock:
                if self._model is None or self._model.state <= state:
                    self._model = model
                self._error = None
        except (MRDGuideError, ValueError, ArithmeticError) as exc:
            with self._lock:
                self._error = f"the relapse model could not be fitted: {exc}"
        finally:
            with self._lock:
                if self._fitting == state:
                    self._fitting = None

    def status(self, state: int) -> ModelStatus:
        """The model to use at data ``state``, starting a refit when it is not current."""
        with self._lock:
            model = self._model
            if model is not None and model.state == state:
                return ModelStatus(model=model, current=True, fitting=False)
            start = self._fitting != state
            if start:
                self._fitting = state
        if start and not self._background:
            self._fit(state)
            return self.status(state) if self._error is None else self._failed()
        if start:
            self._thread = threading.Thread(
                target=self._fit, args=(state,), name="relapse-model-fit", daemon=True
            )
            self._thread.start()
        with self._lock:
            return ModelStatus(model=self._model, current=False, fitting=True, error=self._error)

    def _failed(self) -> ModelStatus:
        with self._lock:
            return ModelStatus(model=self._model, current=False, fitting=False, error=self._error)

    def warm(self) -> None:
        """Start fitting for the registry's current state (at application start-up)."""
        self.status(data_state(self._registry()))

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a running background fit (tests and benchmarks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
