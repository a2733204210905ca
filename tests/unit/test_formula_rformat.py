"""R's number formatting as the printed summaries use it.

Expected strings are R 4.2.2's own output (``format(x, digits = 4)``, ``format.pval(p,
digits)``, ``signif``), run once and pasted here with the call that produced them; R pads to
a common width, which the table printer does separately, so leading spaces are stripped.
"""

from __future__ import annotations

import math

import pytest

from mrdguide.analysis.formula._rformat import format_pval, format_real, r_signif

FORMAT_4 = [  # format(x, digits = 4)
    ([0.155834, 1.168632, 0.02462, -0.876303, 0.006642],
     ["0.155834", "1.168632", "0.024620", "-0.876303", "0.006642"]),
    ([1234.5, 0.5], ["1234.5", "0.5"]),
    ([1e-10, 2.5], ["1.0e-10", "2.5e+00"]),
    ([-0.144, 6.33, 4.326], ["-0.144", "6.330", "4.326"]),
    ([3.6, 0.8247, 1.1136], ["3.6000", "0.8247", "1.1136"]),
    ([123456789.0, 1.0], ["123456789", "1"]),
    ([math.nan, 1.5, math.inf], ["NA", "1.5", "Inf"]),
    ([0.1, 0.25], ["0.10", "0.25"]),
    ([1e-300, 1.0], ["1e-300", "1e+00"]),
]  # fmt: skip
PVAL = [  # format.pval(p, digits = 3) and format.pval(p, digits = 1)
    ([0.03075, 0.000626, 0.018858, 0.029264, 1.7e-07],
     ["0.030750", "0.000626", "0.018858", "0.029264", "1.7e-07"], None),
    ([0.0012, 0.5, 2e-05], ["0.0012", "0.5000", "2e-05"], ["0.001", "0.500", "2e-05"]),
    ([1e-20, 0.3], ["<2e-16", "0.3"], ["<2e-16", "0.3"]),
    ([1e-20], ["<2e-16"], ["<2e-16"]),
    ([1e-20, 2.46e-10], ["< 2e-16", "2.46e-10"], ["<2e-16", "2e-10"]),
]  # fmt: skip


@pytest.mark.parametrize(("values", "want"), FORMAT_4)
def test_format_real_as_r(values: list[float], want: list[str]) -> None:
    assert format_real(values, 4) == want


@pytest.mark.parametrize(("values", "want3", "want1"), PVAL)
def test_format_pval_as_r(values: list[float], want3: list[str], want1: list[str] | None) -> None:
    assert format_pval(values, 3) == want3
    if want1 is not None:
        assert format_pval(values, 1) == want1


def test_signif_as_r() -> None:
    assert (r_signif(0.012345, 2), r_signif(123456.0, 2)) == (0.012, 120000.0)
    assert math.isnan(r_signif(math.nan, 2)) and r_signif(0.0, 2) == 0.0
