"""RQ-PCR MRD of Ig/TCR rearrangements, after EuroMRD (van der Velden et al., Leukemia 2007).

Input is one :class:`Well` per PCR well (see ``mrdguide.io.pcr_plate`` for the CSV layout):

=========== ==================================================================================
sample_type meaning
=========== ==================================================================================
standard    10-fold dilution of diagnostic DNA in healthy-donor MNC DNA; ``dilution`` is the
            fraction of leukaemic DNA (1e-1 ... 1e-5). One row per replicate.
diagnosis   the diagnostic sample: control-gene wells (``marker`` = ``control_marker``) give the
            reference DNA input; marker wells, if present, enter the curve at dilution 1.
follow_up   the follow-up sample: marker wells (replicates, usually 3) and control-gene wells.
background  healthy-donor MNC DNA amplified with the marker assay (non-specific signal).
ntc         no-template control; any amplification is reported as a warning.
=========== ==================================================================================

Per marker the interpretation is:

1. **Background** = the lowest Ct of amplified background wells (none amplified: no background).
2. **Sensitivity** = the lowest dilution, in an unbroken run from the most concentrated one, with at
   least ``sensitivity_min_replicates`` replicate(s) whose Ct is at least
   ``sensitivity_background_delta_ct`` below the background.
3. **Quantitative range (QR)** = the lowest dilution, in an unbroken run, where every replicate
   amplified, the replicate Ct spread is <= ``qr_replicate_spread_ct`` and the mean Ct is at least
   ``qr_background_delta_ct`` below the background. Its mean Ct is the QR Ct limit.
4. **Standard curve**: least squares of Ct on log10(dilution) over amplified replicates at
   dilutions down to the sensitivity; slope and R² must pass acceptance, else :class:`AssayError`.
5. **Follow-up**: replicates at least ``sensitivity_background_delta_ct`` below background are
   specific. None specific: ``negative`` at the (normalised) sensitivity. All replicates specific
   and mean Ct <= QR Ct limit: ``positive``. Otherwise ``positive_nq``. The level is read from the
   curve at the mean Ct of the amplified replicates and multiplied by the control-gene factor
   ``(1 + control_efficiency) ** (Ct_control_follow_up - Ct_control_diagnosis)``; sensitivity and
   QR are multiplied by the same factor. Levels are relative to the diagnostic DNA (taken as 1;
   no correction for the blast percentage at diagnosis is applied). A follow-up replicate spread
   above ``qr_replicate_spread_ct`` is reported as a warning.
6. Several markers combine by the highest result: ``positive`` > ``positive_nq`` > ``negative``,
   then the highest level. All negative: the combined sensitivity is the best marker's. Every
   marker's result is kept in :attr:`PCRResult.markers`.

The numeric criteria in :class:`PCRCriteria` are tagged **[R]** [sources: vandervelden2007]:
the 2007 text was not retrievable, so verify them against van der Velden et al. 2007 before
clinical use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.domain import MRDLevel, MRDMeasurement, MRDMethod, MRDStatus, Timepoint, Tissue
from mrdguide.errors import InputError
from mrdguide.mrd._common import (
    DEFAULT_TARGET_SENSITIVITY,
    capped_level,
    result_key,
    sensitivity_warning,
)
from mrdguide.mrd._pcr_model import (
    PCRCriteria,
    StandardCurve,
    Well,
    WellType,
    fit_standard_curve,
)

__all__ = [
    "PCRCriteria",
    "PCRMarkerResult",
    "PCRResult",
    "StandardCurve",
    "Well",
    "WellType",
    "fit_standard_curve",
    "interpret_pcr",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PCRMarkerResult:
    """The interpretation of one marker.

    Attributes
    ----------
    marker : str
        Marker (assay) name.
    measurement : MRDMeasurement
        This marker's result alone.
    curve : StandardCurve or None
        Accepted standard curve (None when not evaluable).
    background_ct : float or None
        Lowest amplified background Ct (None: no background amplification).
    sensitivity_dilution, qr_dilution : float or None
        Dilutions (before normalisation) that bound the sensitivity and the QR.
    qr_ct_limit : float or None
        Mean Ct at the QR dilution; a follow-up mean Ct at or below it is quantifiable.
    follow_up_cts : tuple of float or None
        Follow-up replicate Cts (None = undetermined).
    mean_ct : float or None
        Mean of the amplified follow-up replicates (None when negative).
    normalisation_factor : float
        Control-gene factor applied to level, sensitivity and QR.
    """

    marker: str
    measurement: MRDMeasurement
    curve: StandardCurve | None
    background_ct: float | None
    sensitivity_dilution: float | None
    qr_dilution: float | None
    qr_ct_limit: float | None
    follow_up_cts: tuple[float | None, ...]
    mean_ct: float | None
    normalisation_factor: float

    def to_dict(self) -> dict[str, Any]:
        """This marker's measurement (case-document shape), curve and Ct values."""
        return {
            "marker": self.marker,
            "measurement": self.measurement.to_dict(),
            "curve": None if self.curve is None else self.curve.to_dict(),
            "background_ct": self.background_ct,
            "sensitivity_dilution": self.sensitivity_dilution,
            "qr_dilution": self.qr_dilution,
            "qr_ct_limit": self.qr_ct_limit,
            "follow_up_cts": list(self.follow_up_cts),
            "mean_ct": self.mean_ct,
            "normalisation_factor": self.normalisation_factor,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PCRResult:
    """Combined RQ-PCR result.

    Attributes
    ----------
    measurement : MRDMeasurement
        The highest marker's result (all negative: the best sensitivity); ``markers`` counts
        the evaluable markers.
    markers : tuple of PCRMarkerResult
        Every marker, by name.
    selected_marker : str or None
        The marker that gave ``measurement`` (None when nothing was evaluable).
    follow_up_sample : str
        The follow-up sample interpreted.
    """

    measurement: MRDMeasurement
    markers: tuple[PCRMarkerResult, ...]
    selected_marker: str | None
    follow_up_sample: str

    def to_dict(self) -> dict[str, Any]:
        """The combined measurement (case-document shape) and every marker's result."""
        return {
            "measurement": self.measurement.to_dict(),
            "follow_up_sample": self.follow_up_sample,
            "selected_marker": self.selected_marker,
            "markers": [m.to_dict() for m in self.markers],
        }


@dataclass(frozen=True, slots=True)
class _Context:
    timepoint: Timepoint
    tissue: Tissue
    sample_day: int | None
    target: float | None
    criteria: PCRCriteria


def _by_dilution(wells: Sequence[Well]) -> list[tuple[float, list[float | None]]]:
    """Replicate Cts grouped by dilution, most concentrated first."""
    groups: dict[float, list[float | None]] = {}
    for w in wells:
        d = 1.0 if w.sample_type is WellType.DIAGNOSIS else w.dilution
        assert d is not None  # guaranteed by Well validation
        groups.setdefault(d, []).append(w.ct)
    return sorted(groups.items(), key=lambda kv: -kv[0])


def _specific(ct: float | None, background: float | None, delta: float) -> bool:
    return ct is not None and (background is None or ct <= background - delta)


def _in_qr(cts: list[float | None], background: float | None, c: PCRCriteria) -> bool:
    if not cts or any(ct is None for ct in cts):
        return False
    vals = [ct for ct in cts if ct is not None]
    mean = float(np.mean(vals))
    spread_ok = max(vals) - min(vals) <= c.qr_replicate_spread_ct + 1e-9
    return spread_ok and (background is None or mean <= background - c.qr_background_delta_ct)


def _ranges(
    groups: list[tuple[float, list[float | None]]], background: float | None, c: PCRCriteria
) -> tuple[float | None, float | None, float | None]:
    """Sensitivity dilution, QR dilution and QR Ct limit (unbroken runs from the top)."""
    sens: float | None = None
    for d, cts in groups:
        n_spec = sum(_specific(ct, background, c.sensitivity_background_delta_ct) for ct in cts)
        if n_spec < c.sensitivity_min_replicates:
            break
        sens = d
    qr: float | None = None
    qr_ct: float | None = None
    for d, cts in groups:
        if not _in_qr(cts, background, c):
            break
        qr, qr_ct = d, float(np.mean([ct for ct in cts if ct is not None]))
    return sens, qr, qr_ct


def _normalisation(wells: Sequence[Well], sample: str, c: PCRCriteria) -> tuple[float, list[str]]:
    """Control-gene factor ``(1+E)**(Ct_fu - Ct_dx)`` and any warning."""

    def mean_ct(kind: WellType, name: str | None) -> float | None:
        cts = [
            w.ct
            for w in wells
            if w.sample_type is kind
            and w.marker == c.control_marker
            and w.ct is not None
            and (name is None or w.sample == name)
        ]
        return float(np.mean(cts)) if cts else None

    dx, fu = mean_ct(WellType.DIAGNOSIS, None), mean_ct(WellType.FOLLOW_UP, sample)
    if dx is None or fu is None:
        return 1.0, [
            f"no amplified control-gene ({c.control_marker}) wells for the "
            f"{'diagnosis' if dx is None else 'follow-up'} sample: levels are not normalised "
            "for DNA input."
        ]
    return float((1.0 + c.control_efficiency) ** (fu - dx)), []


def _marker_measurement(
    ctx: _Context,
    status: MRDStatus,
    level: MRDLevel | None,
    sens: float | None,
    qr: float | None,
    warnings: list[str],
) -> MRDMeasurement:
    sens_level = MRDLevel(min(1.0, sens)) if sens is not None else None
    if sens_level is not None and status is MRDStatus.NEGATIVE:
        warnings.extend(sensitivity_warning(sens_level.fraction, ctx.target))
    return MRDMeasurement(
        timepoint=ctx.timepoint,
        method=MRDMethod.PCR,
        status=status,
        tissue=ctx.tissue,
        level=level,
        sensitivity=sens_level,
        quantitative_range=MRDLevel(min(1.0, qr)) if qr is not None else None,
        sample_day=ctx.sample_day,
        markers=1,
        warnings=tuple(warnings),
    )


def _background_and_ntc(mine: Sequence[Well], marker: str, warnings: list[str]) -> float | None:
    """Lowest amplified background Ct; amplified NTC wells are added to ``warnings``."""
    for w in mine:
        if w.sample_type is WellType.NTC and w.ct is not None:
            warnings.append(f"marker {marker!r}: NTC amplified at Ct {w.ct:g} (contamination?).")
    bg_cts = [w.ct for w in mine if w.sample_type is WellType.BACKGROUND and w.ct is not None]
    return min(bg_cts) if bg_cts else None


def _follow_up_checks(
    fu: Sequence[float | None],
    background: float | None,
    marker: str,
    c: PCRCriteria,
    warnings: list[str],
) -> tuple[list[float], int]:
    """Amplified follow-up Cts and the number of specific ones; quality notes to ``warnings``."""
    amplified = [ct for ct in fu if ct is not None]
    n_spec = sum(_specific(ct, background, c.sensitivity_background_delta_ct) for ct in fu)
    if n_spec < len(amplified):
        warnings.append(
            f"marker {marker!r}: {len(amplified) - n_spec} follow-up replicate(s) amplified "
            "at background level (non-specific)."
        )
    if len(amplified) > 1 and max(amplified) - min(amplified) > c.qr_replicate_spread_ct + 1e-9:
        warnings.append(
            f"marker {marker!r}: follow-up replicate Ct spread "
            f"{max(amplified) - min(amplified):.2f} exceeds {c.qr_replicate_spread_ct}."
        )
    return amplified, n_spec


def _interpret_marker(
    marker: str,
    wells: Sequence[Well],
    sample: str,
    factor: float,
    ctx: _Context,
    warnings: list[str],
) -> PCRMarkerResult:
    c = ctx.criteria
    mine = [w for w in wells if w.marker == marker]
    background = _background_and_ntc(mine, marker, warnings)
    groups = _by_dilution(
        [w for w in mine if w.sample_type in (WellType.STANDARD, WellType.DIAGNOSIS)]
    )
    sens, qr, qr_ct = _ranges(groups, background, c)
    fu = tuple(w.ct for w in mine if w.sample_type is WellType.FOLLOW_UP and w.sample == sample)

    def done(m: MRDMeasurement, curve: StandardCurve | None, mean: float | None) -> PCRMarkerResult:
        return PCRMarkerResult(
            marker=marker, measurement=m, curve=curve, background_ct=background,
            sensitivity_dilution=sens, qr_dilution=qr, qr_ct_limit=qr_ct, follow_up_cts=fu,
            mean_ct=mean, normalisation_factor=factor,
        )  # fmt: skip

    if sens is None or not fu:
        why = "no dilution meets the sensitivity rule" if sens is None else "no follow-up wells"
        warnings.append(f"marker {marker!r}: not evaluable: {why}.")
        m = _marker_measurement(ctx, MRDStatus.NOT_EVALUABLE, None, None, None, warnings)
        return done(m, None, None)
    pts = [(d, ct) for d, cts in groups if d >= sens for ct in cts if ct is not None]
    curve = fit_standard_curve([p[0] for p in pts], [p[1] for p in pts], c, marker)
    amplified, n_spec = _follow_up_checks(fu, background, marker, c, warnings)
    sens_n, qr_n = sens * factor, (qr * factor if qr is not None else None)
    if n_spec == 0:
        m = _marker_measurement(ctx, MRDStatus.NEGATIVE, None, sens_n, qr_n, warnings)
        return done(m, curve, None)
    mean_ct = float(np.mean(amplified))
    quant = qr_ct is not None and n_spec == len(fu) and mean_ct <= qr_ct + 1e-9
    status = MRDStatus.POSITIVE if quant else MRDStatus.POSITIVE_NQ
    level = capped_level(curve.fraction_at(mean_ct) * factor, warnings, f"marker {marker!r}")
    return done(_marker_measurement(ctx, status, level, sens_n, qr_n, warnings), curve, mean_ct)


def _pick_sample(wells: Sequence[Well], follow_up_sample: str | None) -> str:
    names = sorted({w.sample for w in wells if w.sample_type is WellType.FOLLOW_UP})
    if follow_up_sample is not None:
        if follow_up_sample not in names:
            raise InputError(
                f"follow-up sample {follow_up_sample!r} not found; plate has {names}.",
                field="follow_up_sample",
                value=follow_up_sample,
                rule="sample on the plate",
            )
        return follow_up_sample
    if len(names) != 1:
        raise InputError(
            f"the plate has {len(names)} follow-up samples {names}; name one.",
            field="follow_up_sample",
            value=names,
            rule="exactly one follow-up sample",
        )
    return names[0]


def _combine(
    results: Sequence[PCRMarkerResult], ctx: _Context
) -> tuple[MRDMeasurement, str | None]:
    """Highest result wins; all-negative takes the best sensitivity."""
    evaluable = [r for r in results if r.measurement.status is not MRDStatus.NOT_EVALUABLE]
    warnings = tuple(w for r in results for w in r.measurement.warnings)
    if not evaluable:
        m = MRDMeasurement(
            timepoint=ctx.timepoint,
            method=MRDMethod.PCR,
            status=MRDStatus.NOT_EVALUABLE,
            tissue=ctx.tissue,
            sample_day=ctx.sample_day,
            markers=0,
            warnings=warnings,
        )
        return m, None
    top = max(evaluable, key=lambda r: result_key(r.measurement))
    chosen = top
    if top.measurement.status is MRDStatus.NEGATIVE:
        chosen = min(evaluable, key=lambda r: r.measurement.sensitivity.fraction)  # type: ignore[union-attr]
    tm = chosen.measurement
    m = MRDMeasurement(
        timepoint=ctx.timepoint,
        method=MRDMethod.PCR,
        status=tm.status,
        tissue=ctx.tissue,
        level=tm.level,
        sensitivity=tm.sensitivity,
        quantitative_range=tm.quantitative_range,
        sample_day=ctx.sample_day,
        markers=len(evaluable),
        warnings=warnings,
    )
    return m, chosen.marker


def interpret_pcr(
    wells: Sequence[Well],
    *,
    timepoint: Timepoint,
    follow_up_sample: str | None = None,
    tissue: Tissue = Tissue.BONE_MARROW,
    sample_day: int | None = None,
    criteria: PCRCriteria | None = None,
    target_sensitivity: float | None = DEFAULT_TARGET_SENSITIVITY,
) -> PCRResult:
    """Interpret an RQ-PCR plate for one follow-up sample (all its markers).

    Parameters
    ----------
    wells : sequence of Well
        Every well of the plate (see the module docstring for the roles).
    timepoint, tissue, sample_day
        Case-format context of the follow-up sample.
    follow_up_sample : str, optional
        Which follow-up sample to interpret; required when the plate has several.
    criteria : PCRCriteria, optional
        Interpretation criteria; defaults are EuroMRD-style and tagged [R].
    target_sensitivity : float or None, default 1e-4
        Negative markers whose sensitivity is worse than this carry a warning (ASH 2021 [V]).

    Returns
    -------
    PCRResult
        ``measurement`` (highest marker) and each marker's :class:`PCRMarkerResult`.

    Raises
    ------
    AssayError
        A standard curve fails acceptance or has too few dilutions.
    InputError
        No marker wells, or the follow-up sample is missing or ambiguous.
    """
    c = criteria or PCRCriteria()
    sample = _pick_sample(wells, follow_up_sample)
    ctx = _Context(timepoint, tissue, sample_day, target_sensitivity, c)
    factor, norm_warn = _normalisation(wells, sample, c)
    markers = sorted({w.marker for w in wells if w.marker != c.control_marker})
    if not markers:
        raise InputError(
            "the plate has no marker wells besides the control gene.",
            field="marker",
            value=None,
            rule="at least one Ig/TCR marker",
        )
    results = tuple(
        _interpret_marker(mk, wells, sample, factor, ctx, list(norm_warn)) for mk in markers
    )
    measurement, chosen = _combine(results, ctx)
    return PCRResult(
        measurement=measurement,
        markers=results,
        selected_marker=chosen,
        follow_up_sample=sample,
    )
