"""Counting-process helpers against R tmerge / survSplit (see r/tmerge_pbc.R)."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import counting_process, survsplit

from ._rref import close, load, read_csv

pytestmark = pytest.mark.reference


def test_pbcseq_labs_as_time_dependent_covariates() -> None:
    """pbc + pbcseq: every row and column equals tmerge (five tdc()s and a cumtdc())."""
    base, ref = load("tmerge_pbc")
    labs = read_csv("tmerge_pbc_labs", "tmerge_pbc", key="labs_sha256")
    cp = counting_process(base["id"], base["time"], base["status"])
    for lab in ("ascites", "bili", "albumin", "protime", "alk_phos"):
        cp = cp.add_tdc(labs["id"], labs["day"], labs[lab], name=lab)
    cp = cp.add_tdc(labs["id"], labs["day"], name="visits", cumulative=True, initial=0.0)
    close(cp.id.astype(float), ref["id"])
    close(cp.start, ref["tstart"])
    close(cp.stop, ref["tstop"])
    close(cp.event, ref["death"])
    for lab in ("ascites", "bili", "albumin", "protime", "alk_phos", "visits"):
        close(cp.column(lab), ref[lab])
    close(base["age"][cp.row], np.repeat(base["age"], np.bincount(cp.row)))


def test_mrd_samples_and_relapse_events() -> None:
    """Synthetic MRD: tdc with an initial value, NaN samples, ties, relapse events."""
    cohort, ref = load("tmerge_mrd")
    samples = read_csv("tmerge_mrd_samples", "tmerge_mrd", key="samples_sha256")
    rel = read_csv("tmerge_mrd_relapse", "tmerge_mrd", key="relapse_sha256")
    cp = counting_process(cohort["id"], cohort["futime"], cohort["status"])
    cp = cp.add_tdc(
        samples["id"], samples["day"], samples["log10_mrd"], name="log10_mrd", initial=0.0
    )
    cp = cp.add_event(rel["id"], rel["day"], name="relapse")
    assert list(cp.id) == ref["id"]
    close(cp.start, ref["tstart"])
    close(cp.stop, ref["tstop"])
    close(cp.event, ref["death"])
    close(cp.column("log10_mrd"), ref["log10_mrd"])
    close(cp.column("relapse"), ref["relapse"])


def test_survsplit_veteran() -> None:
    """veteran cut at 90 and 180 days: rows, episodes and carried covariates equal survSplit."""
    d, ref = load("tmerge_veteran_split")
    sp = survsplit(d["time"], d["status"], [90, 180], name="tgroup")
    close(sp.row + 1.0, ref["row"])
    close(sp.start, ref["tstart"])
    close(sp.stop, ref["time"])
    close(sp.event, ref["status"])
    close(sp.column("tgroup"), ref["tgroup"])
    close(d["karno"][sp.row], ref["karno"])
