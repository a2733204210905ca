"""Report models equal direct survival fits, and are withheld when events are too few."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.analysis._endpoints import endpoint_table
from mrdguide.analysis.regression import COVARIATE_NAMES, covariate_matrix, fit_models
from mrdguide.domain import Timepoint
from mrdguide.survival import cox_ph

from .cohort_fixture import make_cohort


def test_cox_rows_equal_direct_fit() -> None:
    """Hazard ratios in the report equal exp(coef) of a direct cox_ph fit on the same rows."""
    cases = make_cohort(800, seed=5)
    t = endpoint_table(cases)
    models = fit_models(t, Timepoint.EOI, 34.0)
    cox = next(m for m in models if m.kind.startswith("Cox"))
    assert cox.rows, cox.note
    x = covariate_matrix(cases, Timepoint.EOI)
    keep = (t.efs_days > 34.0) & np.all(np.isfinite(x), axis=1)
    cols = [j for j in range(x.shape[1]) if np.ptp(x[keep, j]) > 0]
    direct = cox_ph(x[np.ix_(keep, cols)], t.efs_days[keep] - 34.0, t.efs_event[keep])
    assert [r.name for r in cox.rows] == [COVARIATE_NAMES[j] for j in cols]
    np.testing.assert_allclose([r.ratio for r in cox.rows], np.exp(direct.coef), rtol=1e-12)
    assert cox.n == int(keep.sum())


def test_models_name_their_variance() -> None:
    """One row per patient: Cox carries the model SE, Fine-Gray crr's robust one; no cluster."""
    t = endpoint_table(make_cohort(800, seed=5))
    models = fit_models(t, Timepoint.EOI, 34.0)
    kinds = {m.kind: m.variance for m in models}
    assert kinds == {"Cox (Efron ties)": "model", "Fine–Gray": "robust"}
    assert {m.kind: m.se_label for m in models} == {
        "Cox (Efron ties)": "model-based (inverse information)",
        "Fine–Gray": "robust (sandwich)",
    }
    assert all(
        m.variance == ""
        for m in fit_models(endpoint_table(make_cohort(60, seed=9)), Timepoint.EOI, 34.0)
    )


def test_too_few_events_gives_a_note_not_a_fit() -> None:
    """With fewer than 10 events per coefficient the model is not fitted and says why."""
    cases = make_cohort(60, seed=9)
    t = endpoint_table(cases)
    models = fit_models(t, Timepoint.EOI, 34.0)
    assert models
    for m in models:
        assert m.rows == ()
        assert "events per coefficient" in m.note


@pytest.mark.parametrize("tp", [Timepoint.EOI, Timepoint.EOC])
def test_covariates_never_code_negatives_as_zero(tp: Timepoint) -> None:
    """Negative MRD is placed at its sensitivity (log10 = -4 here), with the indicator set."""
    cases = make_cohort(200, seed=2)
    x = covariate_matrix(cases, tp)
    neg = x[:, 1] == 1.0
    assert neg.any()
    assert np.all(x[neg, 0] == -4.0)


def test_cohort_report_says_which_standard_errors_the_models_carry() -> None:
    """The report's model tables name the SE behind their CIs (issue 18, item 1)."""
    from mrdguide.analysis.cohort import ProtocolInfo, analyze_cohort
    from mrdguide.reports.cohort import _models_section

    cases = make_cohort(800, seed=5)
    groups = {c.patient_id: "all" for c in cases}
    prim = ProtocolInfo(protocol="toy", version="1", sha256="ab" * 32, groups=groups)
    notes = {t.title: t.note for t in _models_section(analyze_cohort(cases, prim)).tables}
    cox = [n for k, n in notes.items() if k.startswith("Cox")]
    fg = [n for k, n in notes.items() if k.startswith("Fine")]
    assert cox and all("Standard errors: model-based (inverse information)." in n for n in cox)
    assert fg and all("Standard errors: robust (sandwich)." in n for n in fg)
