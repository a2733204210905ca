"""The formula models are the array API fed with hand-built treatment-contrast matrices.

Each test builds the design by hand with numpy (dummy columns for every level but the first
sorted one, R's contr.treatment), calls mrdguide.survival directly, and compares; R agreement
itself is in tests/reference/test_formula_*_vs_r.py.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from mrdguide.analysis import coxph, finegray, survfit
from mrdguide.survival import cox_ph, fine_gray, kaplan_meier

from .test_formula_errors import cohort

PLAIN = "Surv(time, event) ~ age + C(subtype) + log10(mrd)"
LEVELS = ("B-other", "BCR-ABL1", "ETV6-RUNX1")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return cohort(200, seed=11)


def by_hand(d: pd.DataFrame, reference: str = "B-other") -> np.ndarray:
    """age, one 0/1 column per non-reference subtype level (sorted), log10(mrd)."""
    dummies = [(d["subtype"] == lev).to_numpy(float) for lev in LEVELS if lev != reference]
    return np.column_stack([d["age"], *dummies, np.log10(d["mrd"])])


def test_cox_equals_hand_built_treatment_contrasts(data: pd.DataFrame) -> None:
    """C(subtype): first sorted level is the reference; strata/cluster/offset pass through."""
    m = coxph(PLAIN + " + strata(sex) + cluster(centre) + offset(0.02 * age)", data)
    assert m.names == (
        "age",
        "C(subtype)[T.BCR-ABL1]",
        "C(subtype)[T.ETV6-RUNX1]",
        "log10(mrd)",
    )
    ref = cox_ph(by_hand(data), data["time"], data["event"], strata=data["sex"],
                 cluster=data["centre"], offset=0.02 * data["age"])  # fmt: skip
    np.testing.assert_allclose(m.result.coef, ref.coef, rtol=1e-12)
    np.testing.assert_allclose(m.result.covariance, ref.covariance, rtol=1e-10)
    assert m.result.variance == "cluster" and m.result.n_clusters == data["centre"].nunique()
    assert m.term_columns == {"age": (0,), "C(subtype)": (1, 2), "log10(mrd)": (3,)}


@pytest.mark.parametrize("spec", ["Treatment(reference='ETV6-RUNX1')", "levels=['ETV6-RUNX1', "
                                  "'B-other', 'BCR-ABL1']"])  # fmt: skip
def test_other_reference_level(data: pd.DataFrame, spec: str) -> None:
    m = coxph(f"Surv(time, event) ~ age + C(subtype, {spec}) + log10(mrd)", data)
    ref = cox_ph(by_hand(data, "ETV6-RUNX1"), data["time"], data["event"])
    np.testing.assert_allclose(m.result.coef, ref.coef, rtol=1e-12)
    assert [n.split("[")[-1] for n in m.names[1:3]] == ["T.B-other]", "T.BCR-ABL1]"]


def test_categorical_order_gives_the_reference(data: pd.DataFrame) -> None:
    """C() of a pandas Categorical uses the categories' order (first = reference)."""
    cat = pd.Categorical(data["subtype"], categories=["ETV6-RUNX1", "B-other", "BCR-ABL1"])
    m = coxph(PLAIN, data.assign(subtype=cat))
    ref = cox_ph(by_hand(data, "ETV6-RUNX1"), data["time"], data["event"])
    np.testing.assert_allclose(m.result.coef, ref.coef, rtol=1e-12)


def test_counting_process_form(data: pd.DataFrame) -> None:
    """Surv(start, stop, event) is delayed entry / counting-process input."""
    d = data.assign(start=data["time"] * 0.2)
    m = coxph("Surv(start, time, event) ~ age + C(subtype) + log10(mrd)", d)
    ref = cox_ph(by_hand(d), d["time"], d["event"], entry=d["start"])
    np.testing.assert_allclose(m.result.coef, ref.coef, rtol=1e-12)
    assert m.counting


def test_summary_frame_confint_agree(data: pd.DataFrame) -> None:
    """to_frame(), confint(level) and summary(conf_level) give the same limits."""
    m = coxph(PLAIN + " + cluster(centre)", data)
    s, f = m.summary(0.9), m.to_frame(0.9)
    assert list(f.columns) == ["term", "estimate", "std_error", "robust_std_error", "statistic",
                               "p_value", "conf_low", "conf_high", "exp_estimate",
                               "exp_conf_low", "exp_conf_high"]  # fmt: skip
    assert list(f["term"]) == list(m.names)
    np.testing.assert_allclose(f["robust_std_error"], m.result.std_err, rtol=1e-14)
    np.testing.assert_allclose(f["std_error"], m.result.naive_std_err, rtol=1e-14)
    ci = m.confint(0.9)
    assert list(ci.columns) == ["5 %", "95 %"] and list(ci.index) == list(m.names)
    np.testing.assert_allclose(np.exp(ci.to_numpy()), np.column_stack([s.conf_lower,
                               s.conf_upper]), rtol=1e-12)  # fmt: skip
    half = (ci["95 %"] - ci["5 %"]) / 2
    np.testing.assert_allclose(half / m.result.std_err, 1.6448536269514722, rtol=1e-12)
    assert "robust_std_error" not in coxph(PLAIN, data).to_frame().columns


def test_summary_prints_every_r_block(data: pd.DataFrame) -> None:
    text = str(coxph(PLAIN + " + cluster(centre)", data).summary())
    for part in [r"\n  n= 200, number of events= \d+ \n",
                 r"\n +coef +exp\(coef\) +se\(coef\) +robust se +z +Pr\(>\|z\|\)",
                 r"\n +exp\(coef\) +exp\(-coef\) +lower \.95 +upper \.95\n",
                 r"\nConcordance= 0\.\d+  \(se = 0\.\d+ \)\n",
                 r"\nLikelihood ratio test= [\d.]+  on 4 df,   p=",
                 r"\nWald test            = ", r"\nScore \(logrank\) test = .*,   Robust = ",
                 r"\nSignif\. codes:", r"observations within a cluster"]:  # fmt: skip
        assert re.search(part, text), part


def test_to_dict_is_strict_json(data: pd.DataFrame) -> None:
    m = coxph(PLAIN, data)
    for obj in (m.to_dict(), m.summary().to_dict()):
        json.dumps(obj, allow_nan=False)
    assert m.to_dict()["term_columns"]["C(subtype)"] == [1, 2]


def test_predictions_use_the_fit_encoding(data: pd.DataFrame) -> None:
    """predict / predict_survival with newdata equal the array API on hand-built rows."""
    m = coxph(PLAIN + " + strata(sex)", data)
    new = pd.DataFrame({"age": [4.0, 12.0], "subtype": ["ETV6-RUNX1", "B-other"],
                        "mrd": [1e-5, 1e-3], "sex": ["F", "M"]})  # fmt: skip
    x = by_hand(new)
    for kind in ("lp", "risk"):
        got, want = m.predict(new, kind), m.result.predict(x, kind, strata="sex=" + new["sex"])
        np.testing.assert_allclose(got.value, want.value, rtol=1e-14)
    ps = m.predict_survival(new, [0.5, 1.0, 2.0])
    want_s = m.result.predict_survival(x, [0.5, 1.0, 2.0], strata=("sex=" + new["sex"]).to_numpy())
    assert ps.survival.shape == (3, 2)
    np.testing.assert_allclose(ps.survival, want_s.survival, rtol=1e-14)
    exp = m.predict(new.assign(time=[1.0, 2.0], event=[1, 0]), "expected")
    assert exp.value.shape == (2,) and np.all(exp.value > 0)


def test_zph_tests_a_factor_as_one_term(data: pd.DataFrame) -> None:
    z = coxph(PLAIN, data).zph()
    assert z.terms == ("age", "C(subtype)", "log10(mrd)")
    assert z.df.tolist() == [1, 2, 1]


def test_finegray_equals_hand_built_design(data: pd.DataFrame) -> None:
    """Event(time, cause) with text codes, cluster() and offset() as fine_gray on arrays."""
    d = data.assign(status=data["cause"].map({0: "censored", 1: "relapse", 2: "death"}))
    m = finegray("Event(time, status) ~ age + C(subtype) + log10(mrd) + cluster(centre)", d,
                 failcode="relapse", cencode="censored")  # fmt: skip
    ref = fine_gray(by_hand(d), d["time"], d["cause"], cluster=d["centre"])
    np.testing.assert_allclose(m.result.coef, ref.coef, rtol=1e-12)
    np.testing.assert_allclose(m.result.std_err, ref.std_err, rtol=1e-12)
    assert m.competing == ("death",)
    s = m.summary()
    assert s.model == "crr" and "Competing Risks Regression" in str(s)
    assert "summed within 8 clusters" in str(s)
    new = pd.DataFrame({"age": [4.0], "subtype": ["BCR-ABL1"], "mrd": [1e-3]})
    np.testing.assert_allclose(m.predict(new, [1.0, 2.0]).cif,
                               ref.predict(by_hand(new), [1.0, 2.0]).cif, rtol=1e-14)  # fmt: skip
    json.dumps(m.to_dict(), allow_nan=False)


def test_survfit_groups_equal_separate_curves(data: pd.DataFrame) -> None:
    fit = survfit("Surv(time, event) ~ sex", data)
    assert fit.labels == ("sex=F", "sex=M")
    f = data["sex"] == "F"
    ref = kaplan_meier(data["time"][f], data["event"][f])
    np.testing.assert_allclose(fit["sex=F"].survival, ref.survival, rtol=1e-15)
    with pytest.raises(KeyError):
        fit["sex=X"]
