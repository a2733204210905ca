"""Simulation parameters: frozen dataclasses loaded from cited TOML package data.

Every numeric value in ``default_params.toml`` carries a citation string with a tag:

* ``[V]`` checked against the cited source (``docs/sources.md``), ``[R]`` recalled, not re-checked;
* ``[CAL]`` tuned so that the simulator hits a named calibration target;
* ``[A]`` a modelling assumption with no published source.

The true relapse-hazard coefficients of the generator are part of the parameters
(:meth:`SimulationParams.true_coefficients`), so that fitted models can be checked against them.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mrdguide.errors import InputError

#: Tags a citation string must contain (see the module docstring).
CITATION_TAGS: tuple[str, ...] = ("[V]", "[R]", "[CAL]", "[A]")
METHODS: tuple[str, ...] = ("flow", "pcr", "ngs")


@dataclass(frozen=True, slots=True, kw_only=True)
class SubtypeParams:
    """Presenting features, MRD distribution and relapse hazard of one genetic subtype.

    ``relapse_log_rate`` is the log cumulative cause-specific relapse hazard over 5 years
    from the end of induction at a true EOI MRD of ``HazardParams.mrd_ref_log10``;
    ``mrd_log_hr`` is the log hazard ratio per log10 of true EOI MRD.
    """

    key: str
    label: str
    lineage: str
    frequency: float
    age_median_years: float
    age_sd_log: float
    male_fraction: float
    wbc_median_per_ul: float
    wbc_sd_log10: float
    d8_log10_blasts_mean: float
    induction_failure: float
    eoi_p_negative: float
    eoi_log10_mean: float
    eoi_log10_sd: float
    eoc_log10_drop_mean: float
    eoc_log10_drop_sd: float
    eoc_p_clear: float
    relapse_log_rate: float
    mrd_log_hr: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodParams:
    """An MRD assay: limit of detection, lower limit of quantification, measurement noise."""

    lod: float
    lloq: float
    noise_sd_log10: float


@dataclass(frozen=True, slots=True, kw_only=True)
class HazardParams:
    """Baseline hazards shared by all subtypes (times in years unless named in days).

    ``mrd_positive_log_hr`` adds to the log relapse hazard of patients whose true EOI MRD is at
    least ``10 ** mrd_ref_log10`` (1e-4): 0 for contemporary, MRD-directed therapy; the
    calibration sets it for cohorts treated before MRD-directed therapy (historical era).
    """

    relapse_year_weights: tuple[float, ...]
    mrd_floor_log10: float
    mrd_ref_log10: float
    eoc_log_hr: float
    frailty_sd: float
    induction_death: float
    trm_first_year: float
    trm_later_per_year: float
    smn_per_year: float
    death_after_relapse_5y: float
    death_after_failure_5y: float
    ltfu_per_year: float
    mrd_positive_log_hr: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class IntensificationParams:
    """MRD-triggered intensification (Asan rule by default: flow MRD >= 1e-3).

    ``fraction`` of eligible patients are intensified; ``confounding_log_or`` is the log odds
    ratio of being assigned per SD of the latent frailty (negative: frailer patients are
    intensified less often, which is confounding by indication). ``hr`` holds the hazard ratio
    on relapse in each period after the start; ``hr_breaks_years`` are the period boundaries
    in years since the start (one fewer than ``hr``). ``eligible_if="below"`` makes patients
    with MRD below the threshold eligible instead (used for de-escalation, where the "treatment"
    is reduced therapy and ``hr`` its effect).
    """

    threshold: float
    timepoints: tuple[str, ...]
    fraction: float
    delay_days: int
    hr: tuple[float, ...]
    hr_breaks_years: tuple[float, ...]
    confounding_log_or: float
    trm_hr: float
    assay: str
    eligible_if: str = "at_least"

    def __post_init__(self) -> None:
        if len(self.hr) != len(self.hr_breaks_years) + 1:
            raise InputError(
                "intensification.hr needs one value per period (len(hr_breaks_years) + 1).",
                field="intensification.hr",
                value=self.hr,
                rule="len(hr) == len(hr_breaks_years) + 1",
            )
        if not 0.0 <= self.fraction <= 1.0:
            raise InputError(
                "intensification.fraction must be in [0, 1].",
                field="intensification.fraction",
                value=self.fraction,
                rule="0 <= fraction <= 1",
            )
        if self.eligible_if not in ("at_least", "below"):
            raise InputError(
                "intensification.eligible_if must be 'at_least' or 'below'.",
                field="intensification.eligible_if",
                value=self.eligible_if,
                rule="eligible_if in {at_least, below}",
            )
        bad = [t for t in self.timepoints if t not in ("eoi", "eoc")]
        if bad:
            raise InputError(
                "intensification.timepoints may only contain 'eoi' and 'eoc'.",
                field="intensification.timepoints",
                value=bad,
                rule="timepoints in {eoi, eoc}",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class PresentingParams:
    """Presenting features not specific to a subtype, and MRD time points (days).

    Day-8 blood blasts are ``10 ** (d8_log10_blasts_mean[subtype] + d8_resistance_loading * r
    + d8_noise_sd_log10 * e)`` with ``r`` the latent resistance that also drives EOI MRD and ``e``
    independent noise: the loading sets how much prednisone poor response overlaps with high
    MRD. ``etp_fraction_of_t`` is the share of T-ALL with the early-T-precursor phenotype.
    """

    cns2: float
    cns3: float
    down_syndrome: float
    eoi_day: int
    eoc_day: int
    d8_resistance_loading: float = 0.6
    d8_noise_sd_log10: float = 0.8
    etp_fraction_of_t: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationParams:
    """All generator parameters. Build with :func:`default_params` or :func:`load_params`."""

    source_id: str
    subtypes: tuple[SubtypeParams, ...]
    methods: Mapping[str, MethodParams]
    hazards: HazardParams
    intensification: IntensificationParams
    presenting: PresentingParams
    citations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "methods", MappingProxyType(dict(self.methods)))
        object.__setattr__(self, "citations", MappingProxyType(dict(self.citations)))
        total = sum(s.frequency for s in self.subtypes)
        if abs(total - 1.0) > 1e-6:
            raise InputError(
                f"subtype frequencies must sum to 1; got {total:.6f}.",
                field="subtypes.frequency",
                value=total,
                rule="sum of frequencies == 1",
            )
        missing = [m for m in METHODS if m not in self.methods]
        if missing:
            raise InputError(
                f"methods missing: {missing}.", field="methods", value=missing, rule="all methods"
            )

    def __reduce__(self) -> tuple[Any, ...]:
        # Mapping proxies cannot be pickled; rebuild from plain dicts (for process/Dask workers).
        state = {f: getattr(self, f) for f in self.__dataclass_fields__}
        state["methods"] = dict(self.methods)
        state["citations"] = dict(self.citations)
        return (_rebuild_params, (state,))

    @property
    def subtype_keys(self) -> tuple[str, ...]:
        """Subtype keys in code order (the integer codes of ``SimulatedCohort.subtype``)."""
        return tuple(s.key for s in self.subtypes)

    def subtype(self, key: str) -> SubtypeParams:
        """The parameters of subtype ``key``."""
        for s in self.subtypes:
            if s.key == key:
                return s
        raise InputError(f"unknown subtype {key!r}", field="subtype", value=key)

    def true_coefficients(self) -> dict[str, dict[str, float]]:
        """The true relapse-hazard coefficients per subtype.

        ``log_hazard = relapse_log_rate + mrd_log_hr * (log10 MRD_eoi - mrd_ref_log10)
        + eoc_log_hr * (log10 MRD_eoc - mrd_floor_log10) + log(frailty) + log(HR_int(t))``,
        with MRD floored at ``mrd_floor_log10`` (true zeros sit at the floor).
        """
        return {
            s.key: {"relapse_log_rate": s.relapse_log_rate, "mrd_log_hr": s.mrd_log_hr}
            for s in self.subtypes
        }

    def with_intensification(self, **changes: Any) -> SimulationParams:
        """A copy with some intensification fields changed."""
        return replace(self, intensification=replace(self.intensification, **changes))

    def with_hazards(self, **changes: Any) -> SimulationParams:
        """A copy with some baseline-hazard fields changed (e.g. ``mrd_positive_log_hr``)."""
        return replace(self, hazards=replace(self.hazards, **changes))

    def with_subtype(self, key: str, **changes: Any) -> SimulationParams:
        """A copy with some fields of subtype ``key`` changed."""
        subs = tuple(replace(s, **changes) if s.key == key else s for s in self.subtypes)
        return replace(self, subtypes=subs)


def _rebuild_params(state: dict[str, Any]) -> SimulationParams:
    return SimulationParams(**state)


def _collect_cites(raw: Mapping[str, Any], prefix: str, out: dict[str, str]) -> None:
    cite = raw.get("cite", {})
    for k, v in raw.items():
        if (isinstance(v, int | float) and not isinstance(v, bool)) or isinstance(v, list):
            text = cite.get(k)
            if not isinstance(text, str) or not any(t in text for t in CITATION_TAGS):
                raise InputError(
                    f"{prefix}{k} has no citation with a tag {CITATION_TAGS}.",
                    field=f"{prefix}{k}",
                    value=v,
                    rule="every value is cited",
                )
            out[f"{prefix}{k}"] = text


def _fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k != "cite"}


def params_from_dict(raw: Mapping[str, Any]) -> SimulationParams:
    """Build :class:`SimulationParams` from a parsed TOML document, checking every citation."""
    cites: dict[str, str] = {}
    shared = raw["subtype_cite"]
    subtypes = []
    for key, body in raw["subtypes"].items():
        merged = {**body, "cite": {**shared, **body.get("cite", {})}}
        _collect_cites(merged, f"subtypes.{key}.", cites)
        subtypes.append(SubtypeParams(key=key, **_fields(body)))
    methods = {}
    for name, body in raw["methods"].items():
        _collect_cites(body, f"methods.{name}.", cites)
        methods[name] = MethodParams(**_fields(body))
    for section in ("hazards", "intensification", "presenting"):
        _collect_cites(raw[section], f"{section}.", cites)
    try:
        return SimulationParams(
            source_id=str(raw["meta"]["id"]),
            subtypes=tuple(subtypes),
            methods=methods,
            hazards=HazardParams(**_fields(raw["hazards"])),
            intensification=IntensificationParams(**_fields(raw["intensification"])),
            presenting=PresentingParams(**_fields(raw["presenting"])),
            citations=cites,
        )
    except TypeError as exc:
        raise InputError(f"parameter file does not match the schema: {exc}") from exc


def load_params(path: str | Path) -> SimulationParams:
    """Load parameters from a TOML file laid out like ``default_params.toml``."""
    with Path(path).open("rb") as fh:
        return params_from_dict(tomllib.load(fh))


@functools.cache
def default_params() -> SimulationParams:
    """The packaged, cited default parameters (``default_params.toml``; parsed once)."""
    text = resources.files("mrdguide.simulate").joinpath("default_params.toml").read_text("utf-8")
    return params_from_dict(tomllib.loads(text))
