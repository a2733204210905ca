"""The formula interface refuses what it cannot do faithfully, naming the column and rule.

No silent factor from a text/categorical column, no silent dropping of missing values, no
silent encoding of a level the fit did not see; malformed formulas say what is expected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mrdguide.analysis import coxph, finegray, survdiff, survfit
from mrdguide.errors import InputError

PLAIN = "Surv(time, event) ~ age + C(subtype) + log10(mrd)"


def cohort(n: int = 120, seed: int = 3) -> pd.DataFrame:
    """A small synthetic cohort (SIM- ids): text subtype and sex, a cause column."""
    rng = np.random.default_rng(seed)
    subtype = rng.choice(["B-other", "BCR-ABL1", "ETV6-RUNX1"], n)
    mrd = 10 ** rng.normal(-3.5, 1.0, n)
    lp = 0.5 * (subtype == "BCR-ABL1") + 0.3 * np.log10(mrd)
    t = rng.exponential(1 / (0.3 * np.exp(lp)))
    c = rng.uniform(0.5, 6, n)
    return pd.DataFrame(
        {
            "id": [f"SIM-{i:04d}" for i in range(n)],
            "age": np.round(rng.uniform(1, 18, n), 1),
            "sex": rng.choice(["F", "M"], n),
            "subtype": subtype,
            "mrd": mrd,
            "time": np.minimum(t, c),
            "event": (t <= c).astype(int),
            "cause": np.where(t <= c, rng.choice([1, 2], n, p=[0.7, 0.3]), 0),
            "centre": rng.integers(1, 9, n),
        }
    )


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return cohort()


def test_unknown_column_is_named_with_a_suggestion(data: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=r"unknown column 'agee' \(did you mean age\?\)") as e:
        coxph("Surv(time, event) ~ agee + C(subtype)", data)
    assert e.value.field == "agee"


@pytest.mark.parametrize("dtype", [object, "category", "string"])
def test_text_or_category_column_needs_c(data: pd.DataFrame, dtype: object) -> None:
    """A text, pandas string or categorical column used bare is refused, naming the column."""
    d = data.assign(subtype=data["subtype"].astype(dtype))  # type: ignore[call-overload]
    with pytest.raises(InputError, match=r"column 'subtype' .* write C\(subtype\)") as e:
        coxph("Surv(time, event) ~ age + subtype", d)
    assert e.value.field == "subtype"


def test_text_column_in_an_interaction_needs_c(data: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=r"write C\(sex\)"):
        coxph("Surv(time, event) ~ age + age:sex", data)


def test_categorical_numbers_need_c_too(data: pd.DataFrame) -> None:
    """A pandas category of numbers is a factor only through C(); numbers stay numbers."""
    d = data.assign(centre_cat=data["centre"].astype("category"))
    with pytest.raises(InputError, match=r"C\(centre_cat\)"):
        coxph("Surv(time, event) ~ centre_cat", d)
    assert coxph("Surv(time, event) ~ centre", data).names == ("centre",)


@pytest.mark.parametrize("bad", ["drop", None, "exclude", 1])
def test_bad_na_action(data: pd.DataFrame, bad: object) -> None:
    with pytest.raises(InputError, match="na_action must be 'fail' or 'omit'") as e:
        coxph(PLAIN, data, na_action=bad)  # type: ignore[arg-type]
    assert e.value.field == "na_action"


def test_missing_values_fail_naming_column_and_rows(data: pd.DataFrame) -> None:
    """na_action='fail' (the default) names the column, the count and the first row labels."""
    d = data.copy()
    d.loc[[7, 30], "mrd"] = np.nan
    d.loc[[30, 41], "subtype"] = None
    with pytest.raises(InputError) as e:
        coxph(PLAIN, d)
    msg = str(e.value)
    assert "3 row(s) have missing values" in msg
    assert "subtype (2)" in msg and "mrd (2)" in msg
    assert "[7, 30, 41]" in msg and "na_action='omit'" in msg
    assert e.value.field in ("subtype", "mrd")


def test_omit_drops_and_reports(data: pd.DataFrame) -> None:
    """na_action='omit' drops incomplete rows and reports how many and which."""
    d = data.copy()
    d.loc[[7, 30], "mrd"] = np.nan
    d.loc[[41], "time"] = np.nan
    m = coxph(PLAIN, d, na_action="omit")
    assert (m.n_deleted, m.deleted_rows, m.result.n) == (3, (7, 30, 41), len(d) - 3)
    assert "(3 observations deleted due to missingness)" in str(m.summary())
    ref = coxph(PLAIN, d.drop(index=[7, 30, 41]))
    np.testing.assert_allclose(m.result.coef, ref.result.coef, rtol=1e-12)


def test_transformed_nan_counts_as_missing(data: pd.DataFrame) -> None:
    """log10 of a negative value is missing (R evaluates the model frame before na.action)."""
    d = data.copy()
    d.loc[5, "mrd"] = -1.0
    with pytest.raises(InputError, match=r"log10\(mrd\) \(1\).*\[5\]"):
        coxph(PLAIN, d)
    assert coxph(PLAIN, d, na_action="omit").deleted_rows == (5,)


def test_infinite_covariate_is_refused(data: pd.DataFrame) -> None:
    d = data.copy()
    d.loc[5, "mrd"] = 0.0
    with pytest.raises(InputError, match=r"log10\(mrd\) is infinite in 1 row"):
        coxph(PLAIN, d)


def test_unseen_level_in_newdata(data: pd.DataFrame) -> None:
    """A level the fit did not see is refused, naming the column, the level and the levels."""
    m = coxph(PLAIN, data)
    new = pd.DataFrame({"age": [5.0], "subtype": ["T-ALL"], "mrd": [1e-4]})
    for call in (lambda: m.predict(new), lambda: m.predict_survival(new, [1.0])):
        with pytest.raises(InputError, match=r"column 'subtype' has level\(s\) \['T-ALL'\]") as e:
            call()
        assert e.value.field == "subtype"
        assert "B-other" in str(e.value)
    fg = finegray(PLAIN.replace("Surv(time, event)", "Event(time, cause)"), data)
    with pytest.raises(InputError, match="T-ALL"):
        fg.predict(new)


def test_unseen_integer_level(data: pd.DataFrame) -> None:
    m = coxph("Surv(time, event) ~ age + C(centre)", data)
    new = pd.DataFrame({"age": [5.0, 6.0], "centre": [1, 99]})
    with pytest.raises(InputError, match=r"column 'centre' has level\(s\) \[99\]"):
        m.predict(new)


def test_newdata_must_be_complete_and_hold_the_columns(data: pd.DataFrame) -> None:
    m = coxph(PLAIN, data)
    with pytest.raises(InputError, match="unknown column 'mrd'"):
        m.predict(pd.DataFrame({"age": [5.0], "subtype": ["B-other"]}))
    with pytest.raises(InputError, match="newdata must be complete"):
        m.predict(pd.DataFrame({"age": [np.nan], "subtype": ["B-other"], "mrd": [1e-3]}))


@pytest.mark.parametrize(
    ("formula", "pattern"),
    [
        ("age + C(subtype)", "needs one '~'"),
        ("time ~ age", r"must be Surv\(\.\.\.\)"),
        ("Surv(time) ~ age", "takes .time, event. or .start, stop, event."),
        ("Surv(time, event=event) ~ age", "positional column expressions"),
        ("Surv(time, event) ~ age + strata(log(age))", r"strata\(\) takes column names"),
        ("Surv(time, event) ~ age + cluster(id) + cluster(centre)", r"only one cluster\(\)"),
        ("Surv(time, event) ~ age:strata(sex)", "cannot be part of an interaction"),
        ("Surv(time, event) ~ strata(sex)", "no covariates"),
        ("Surv(time, event) ~ age +", "cannot parse"),
    ],
)
def test_malformed_formulas(data: pd.DataFrame, formula: str, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        coxph(formula, data)


def test_formula_and_data_types() -> None:
    with pytest.raises(InputError, match="formula must be a string"):
        coxph(42, cohort())  # type: ignore[arg-type]
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        coxph(PLAIN, [1, 2, 3])


def test_status_codes_follow_surv(data: pd.DataFrame) -> None:
    """0/1, FALSE/TRUE and 1/2 are R's Surv() codes; a mix of 0, 1 and 2 is refused."""
    base = coxph(PLAIN, data).result.coef
    for ev in (data["event"] + 1, data["event"].astype(bool)):
        np.testing.assert_allclose(coxph(PLAIN, data.assign(event=ev)).result.coef, base)
    with pytest.raises(InputError, match="mixes codes 0, 1 and 2"):
        coxph(PLAIN, data.assign(event=data["cause"]))


def test_finegray_refusals(data: pd.DataFrame) -> None:
    rhs = " ~ age + C(subtype)"
    with pytest.raises(InputError, match=r"strata\(\) is not available for Fine-Gray"):
        finegray("Event(time, cause)" + rhs + " + strata(sex)", data)
    with pytest.raises(InputError, match=r"takes \(time, cause\)"):
        finegray("Event(age, time, cause)" + rhs, data)
    with pytest.raises(InputError, match="no event of the cause of interest"):
        finegray("Event(time, cause)" + rhs, data, failcode=7)
    with pytest.raises(InputError, match=r"must be Event\(\.\.\.\) or Surv\(\.\.\.\)"):
        finegray("Cause(time, cause)" + rhs, data)


def test_nonparametric_refusals(data: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="group terms are column names"):
        survfit("Surv(time, event) ~ log(age)", data)
    with pytest.raises(InputError, match="belong to regression models"):
        survfit("Surv(time, event) ~ sex + cluster(id)", data)
    with pytest.raises(InputError, match="survdiff needs a group"):
        survdiff("Surv(time, event) ~ 1", data)


def test_formulaic_and_pandas_load_only_when_a_formula_is_fitted() -> None:
    """The formula extra is optional: importing mrdguide.analysis pulls in neither."""
    import subprocess
    import sys

    code = (
        "import sys, mrdguide.analysis; "
        "print(','.join(m for m in ('formulaic', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
