"""RQ-PCR interpretation: curve acceptance, sensitivity/QR, follow-up classes, markers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from mrdguide.domain import MRDStatus, Timepoint
from mrdguide.errors import AssayError, InputError
from mrdguide.mrd import PCRCriteria, PCRResult, Well, WellType, fit_standard_curve, interpret_pcr

Plate = Callable[..., list[Well]]
QR_CT = 34.6  # mean Ct of the 1e-4 dilution in the builder's noise-free curve


def run(wells: list[Well], **kw: object) -> PCRResult:
    """Interpret at EOI."""
    return interpret_pcr(wells, timepoint=Timepoint.EOI, **kw)  # type: ignore[arg-type]


def test_curve_fit_recovers_parameters(make_plate: Plate) -> None:
    """The fitted slope/intercept/efficiency match the generating curve."""
    rng = np.random.default_rng(1)
    r = run(make_plate(noise=lambda: float(rng.normal(0, 0.1))))
    c = r.markers[0].curve
    assert c is not None
    assert c.slope == pytest.approx(-3.4, abs=0.1)
    assert c.intercept == pytest.approx(21.0, abs=0.4)
    assert c.efficiency == pytest.approx(10 ** (1 / 3.4) - 1, abs=0.05)
    assert c.r2 > 0.99


@pytest.mark.parametrize("slope", [-2.9, -4.1])
def test_slope_outside_acceptance_raises(make_plate: Plate, slope: float) -> None:
    """A slope outside [-3.9, -3.1] fails acceptance with AssayError naming the slope."""
    with pytest.raises(AssayError, match="slope") as exc:
        run(make_plate(slope=slope, intercept=20.0, background=(None,) * 6))
    assert exc.value.field == "IGH-1.slope"


def test_low_r2_raises() -> None:
    """R² below 0.98 fails acceptance."""
    crit = PCRCriteria()
    x = [1e-1, 1e-1, 1e-2, 1e-2, 1e-3, 1e-3]
    y = [24.4, 26.4, 27.8, 26.0, 31.2, 33.8]
    with pytest.raises(AssayError, match="R²"):
        fit_standard_curve(x, y, crit, "M")


def test_too_few_dilutions_raises(make_plate: Plate) -> None:
    """Fewer than 3 dilutions cannot make an accepted curve."""
    with pytest.raises(AssayError, match=">= 3"):
        run(make_plate(dilutions=(1e-1, 1e-2), background=(None,) * 6))


def test_sensitivity_and_qr_from_background(make_plate: Plate) -> None:
    """Background 40.5: 1e-5 (Ct 38) is within sensitivity but not QR (needs <= 37.5)."""
    mk = run(make_plate()).markers[0]
    assert mk.background_ct == 40.5
    assert mk.sensitivity_dilution == 1e-5
    assert mk.qr_dilution == 1e-4
    assert mk.qr_ct_limit == pytest.approx(QR_CT)


def test_high_background_shrinks_ranges(make_plate: Plate) -> None:
    """Background at 37.0 removes 1e-5 from the sensitivity and 1e-4 from the QR."""
    mk = run(make_plate(background=(37.0,) + (None,) * 5)).markers[0]
    assert mk.sensitivity_dilution == 1e-4  # 34.6 <= 36.0
    assert mk.qr_dilution == 1e-3  # 31.2 <= 34.0 but 34.6 > 34.0


@pytest.mark.parametrize(
    ("ct", "status"),
    [(QR_CT - 0.01, MRDStatus.POSITIVE), (QR_CT + 0.01, MRDStatus.POSITIVE_NQ)],
)
def test_ct_just_inside_and_outside_qr(make_plate: Plate, ct: float, status: MRDStatus) -> None:
    """A follow-up Ct just inside the QR is positive; just outside it is PNQ."""
    m = run(make_plate(fu_cts=(ct, ct, ct))).measurement
    assert m.status is status
    assert m.level is not None
    assert m.level.fraction == pytest.approx(10 ** ((ct - 21.0) / -3.4), rel=1e-6)


def test_missing_replicate_is_not_quantifiable(make_plate: Plate) -> None:
    """A follow-up with one replicate undetermined is PNQ even inside the QR Ct."""
    m = run(make_plate(fu_cts=(30.0, 30.1, None))).measurement
    assert m.status is MRDStatus.POSITIVE_NQ


def test_no_amplification_is_negative_at_sensitivity(make_plate: Plate) -> None:
    """All follow-up replicates undetermined: negative at the 1e-5 sensitivity."""
    m = run(make_plate(fu_cts=(None, None, None))).measurement
    assert m.status is MRDStatus.NEGATIVE
    assert m.sensitivity is not None
    assert m.sensitivity.fraction == pytest.approx(1e-5)
    assert m.negative_at(1e-5)


def test_background_level_amplification_is_negative(make_plate: Plate) -> None:
    """A follow-up Ct within 1 Ct of background is non-specific: negative, with a warning."""
    m = run(make_plate(fu_cts=(39.8, None, None))).measurement
    assert m.status is MRDStatus.NEGATIVE
    assert any("non-specific" in w for w in m.warnings)


def test_control_gene_normalisation(make_plate: Plate) -> None:
    """One more ALB cycle in follow-up (half the DNA) doubles level and sensitivity."""
    base = run(make_plate()).measurement
    less_dna = run(make_plate(alb_fu=26.0)).measurement
    assert base.level is not None
    assert less_dna.level is not None
    assert less_dna.level.fraction == pytest.approx(2 * base.level.fraction)
    assert less_dna.sensitivity is not None
    assert less_dna.sensitivity.fraction == pytest.approx(2e-5)


def test_missing_control_gene_warns(make_plate: Plate) -> None:
    """Without ALB wells the level is not normalised and a warning says so."""
    m = run(make_plate(alb_dx=None)).measurement
    assert any("not normalised" in w for w in m.warnings)


def test_markers_combine_by_highest(make_plate: Plate) -> None:
    """Two markers: the combined result is the higher one; both are kept."""
    wells = make_plate(fu_cts=(33.0, 33.0, 33.0), marker="IGH-1")
    wells += [
        w for w in make_plate(fu_cts=(31.0, 31.0, 31.0), marker="TRG-1") if w.marker == "TRG-1"
    ]
    r = run(wells)
    assert r.selected_marker == "TRG-1"
    assert [mk.marker for mk in r.markers] == ["IGH-1", "TRG-1"]
    assert r.measurement.markers == 2
    assert r.measurement.level == r.markers[1].measurement.level


def test_quantifiable_beats_higher_pnq(make_plate: Plate) -> None:
    """A positive marker outranks a PNQ one: status first, then level."""
    wells = make_plate(fu_cts=(34.0, 34.0, 34.0), marker="A")
    wells += [w for w in make_plate(fu_cts=(30.0, None, None), marker="B") if w.marker == "B"]
    r = run(wells)
    assert r.selected_marker == "A"
    assert r.measurement.status is MRDStatus.POSITIVE


def test_all_negative_takes_best_sensitivity(make_plate: Plate) -> None:
    """All markers negative: the combined sensitivity is the best marker's."""
    wells = make_plate(fu_cts=(None,) * 3, marker="A")
    wells += [
        w for w in make_plate(fu_cts=(None,) * 3, marker="B", background=(37.0,)) if w.marker == "B"
    ]
    r = run(wells)
    assert r.measurement.status is MRDStatus.NEGATIVE
    assert r.measurement.sensitivity is not None
    assert r.measurement.sensitivity.fraction == pytest.approx(1e-5)
    assert r.selected_marker == "A"


def test_no_sensitivity_is_not_evaluable(make_plate: Plate) -> None:
    """When no dilution is specific above background the marker is not evaluable."""
    r = run(make_plate(background=(20.0,)))
    assert r.measurement.status is MRDStatus.NOT_EVALUABLE
    assert r.markers[0].curve is None


def test_ntc_amplification_warns(make_plate: Plate) -> None:
    """An amplified NTC is reported."""
    wells = [*make_plate(), Well(sample="NTC", sample_type=WellType.NTC, marker="IGH-1", ct=38.0)]
    assert any("NTC" in w for w in run(wells).measurement.warnings)


def test_sample_selection(make_plate: Plate) -> None:
    """Two follow-up samples need a name; an unknown name is an InputError."""
    wells = make_plate() + [w for w in make_plate(sample="FU2") if w.sample == "FU2"]
    with pytest.raises(InputError, match="2 follow-up samples"):
        run(wells)
    assert run(wells, follow_up_sample="FU2").follow_up_sample == "FU2"
    with pytest.raises(InputError, match="not found"):
        run(wells, follow_up_sample="nope")


@pytest.mark.parametrize(
    ("kwargs", "fieldname"),
    [
        ({"dilution": None, "ct": 30.0}, "dilution"),
        ({"dilution": 10.0, "ct": 30.0}, "dilution"),
        ({"dilution": 0.1, "ct": 0.0}, "ct"),
    ],
)
def test_well_validation(kwargs: dict[str, object], fieldname: str) -> None:
    """A standard without a fraction dilution, or an impossible Ct, is rejected."""
    with pytest.raises(InputError) as exc:
        Well(sample="S", sample_type=WellType.STANDARD, marker="M", **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == fieldname


def test_follow_up_replicate_spread_warns(make_plate: Plate) -> None:
    """Follow-up replicates more than 1.5 Ct apart carry a warning."""
    m = run(make_plate(fu_cts=(32.0, 33.0, 33.6))).measurement
    assert any("spread" in w for w in m.warnings)
    assert not any("spread" in w for w in run(make_plate()).measurement.warnings)


def test_diagnosis_marker_wells_enter_curve_at_one(make_plate: Plate) -> None:
    """Undiluted diagnostic marker wells are the top curve point (dilution 1)."""
    dx = [Well(sample="DX", sample_type=WellType.DIAGNOSIS, marker="IGH-1", ct=21.0)] * 3
    curve = run([*make_plate(), *dx]).markers[0].curve
    assert curve is not None
    assert curve.n_points == 18
    assert curve.intercept == pytest.approx(21.0)
