"""Gray's score statistic and covariance from event tables (cmprsk ``crstm`` / ``crst``).

Shared by :func:`mrdguide.survival.gray_test` and ``cumulative_incidence(test=True)``; see
:mod:`mrdguide.survival._gray` for the R-compatibility notes.

cmprsk walks the distinct times once, updating running sums. The same recursion is evaluated
here in blocks of the common event times (:data:`_BLOCK` at a time), vectorised inside a block
and carried between blocks, so the working arrays stay in the CPU cache and no array of the
size of the data is formed besides the table. Within a block, each group's all-cause KM and
the weights ``t1 = n / S(t-)`` are computed once and shared by every cause tested; the terms of
a cause are evaluated at its own event times ("J1", any group) and the competing-risk terms of
group g only at g's competing event times, with the running sums carried to them. Running
sums continue across blocks exactly as one cumulative sum (the carry is added to the first
element), so the result does not depend on the block size beyond rounding of the final sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mrdguide.survival._dist import chi2_sf
from mrdguide.survival._tables import EventTable
from mrdguide.survival._types import FloatArray, IntArray, TestResult

__all__ = ["all_causes", "finish", "gray_statistic", "scores"]

#: Event times per block: small enough for the working arrays to stay in cache.
_BLOCK = 65536


def _shifted(x: FloatArray, first: float) -> FloatArray:
    """``x`` moved one place right with ``first`` in front (the value just before)."""
    out = np.empty_like(x)
    out[0] = first
    out[1:] = x[:-1]
    return out


def _carried_cumsum(x: FloatArray, carry: float) -> FloatArray:
    """In-place cumulative sum continuing from ``carry`` (same rounding as one long cumsum)."""
    x[0] += carry
    return np.cumsum(x, out=x)


def _suffix(x: FloatArray, start: int, value: float) -> FloatArray:
    """``x`` with ``x[start:] = value`` (cmprsk's special cases are suffixes in time)."""
    x[start:] = value
    return x


@dataclass(slots=True)
class _Cause:
    """Running state of one cause: the sums so far and the values carried into the block."""

    k: int
    ng: int
    score: FloatArray = field(init=False)
    cov: FloatArray = field(init=False)
    v2: FloatArray = field(init=False)
    v3: FloatArray = field(init=False)
    c: FloatArray = field(init=False)  # c[i, g], running
    f1: FloatArray = field(init=False)  # each group's CIF of the cause so far
    f: float = 0.0  # pooled F so far
    cif: FloatArray | None = None  # (groups, times): the cause's CIF, when already computed

    def __post_init__(self) -> None:
        m = self.ng - 1
        self.score, self.cov, self.v2 = np.zeros(m), np.zeros((m, m)), np.zeros((m, self.ng))
        self.v3, self.c, self.f1 = np.zeros(self.ng), np.zeros((m, self.ng)), np.zeros(self.ng)


@dataclass(frozen=True, slots=True)
class _Table:
    """The event table with each group's all-cause counts, first time with nobody at risk
    (``empty``) and first time where its all-cause KM is 0 (``dead``)."""

    tab: EventTable
    nd_own: list[FloatArray]
    empty: IntArray
    dead: IntArray


def _prepare(tab: EventTable) -> _Table:
    nd_own = [c.sum(axis=0) if c.shape[0] > 1 else c[0] for c in tab.counts]
    empty = np.array([int(np.searchsorted(-r, 0.0)) for r in tab.at_risk])
    dead = np.full(len(tab.own), tab.time.size)
    for g, own in enumerate(tab.own):  # the KM is 0 from the first time all at risk fail
        hit = np.flatnonzero(nd_own[g] == np.take(tab.at_risk[g], own))
        if hit.size:
            dead[g] = own[hit[0]]
    return _Table(tab=tab, nd_own=nd_own, empty=empty, dead=dead)


@dataclass(frozen=True, slots=True)
class _Block:
    """Shared per-group quantities on one block of event times [lo, hi).

    ``empty`` and ``dead`` are block-local suffix starts (clipped to [0, hi - lo]).
    """

    lo: int
    hi: int
    empty: IntArray
    dead: IntArray
    rs: list[FloatArray]
    skm: list[FloatArray]
    skmm: list[FloatArray]
    t1: list[FloatArray]
    tr: FloatArray


def _block(tt: _Table, lo: int, hi: int, km: FloatArray) -> _Block:
    """Each group's all-cause KM (continued from ``km``, updated) and t1 on [lo, hi)."""
    rs, skm, skmm, t1 = [], [], [], []
    tr = np.zeros(hi - lo)
    empty = np.clip(tt.empty - lo, 0, hi - lo)
    for g, own in enumerate(tt.tab.own):
        a, b = np.searchsorted(own, (lo, hi))
        r = tt.tab.at_risk[g, lo:hi]
        s = np.ones(hi - lo)
        pos = own[a:b] - lo
        s[pos] -= tt.nd_own[g][a:b] / np.take(r, pos)  # hazard at the group's own times only
        s[0] *= km[g]
        np.cumprod(s, out=s)
        before = _shifted(s, km[g])
        km[g] = s[-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = _suffix(r / before, int(empty[g]), 0.0)  # nobody at risk (cmprsk: 0)
        tr += w
        rs.append(r)
        skm.append(s)
        skmm.append(before)
        t1.append(w)
    dead = np.clip(tt.dead - lo, 0, hi - lo)
    return _Block(lo=lo, hi=hi, empty=empty, dead=dead, rs=rs, skm=skm, skmm=skmm, t1=t1, tr=tr)


def _events(
    tt: _Table, k: int, lo: int, hi: int
) -> tuple[list[IntArray], list[FloatArray], list[IntArray], list[FloatArray]]:
    """Block-local positions and counts of cause ``k`` and of the competing causes, per group."""
    p1: list[IntArray] = []
    p2: list[IntArray] = []
    d1: list[FloatArray] = []
    d2: list[FloatArray] = []
    for g, own in enumerate(tt.tab.own):
        a, b = np.searchsorted(own, (lo, hi))
        pos = own[a:b] - lo
        ck = tt.tab.counts[g][k, a:b]
        for hit, p, d, val in (
            (np.flatnonzero(ck != 0), p1, d1, ck),
            (np.flatnonzero(ck != tt.nd_own[g][a:b]), p2, d2, tt.nd_own[g][a:b] - ck),
        ):
            p.append(np.take(pos, hit))
            d.append(np.take(val, hit))
    return p1, d1, p2, d2


def _one_minus_f1(t1: FloatArray, e: FloatArray, empty: int, g: int, at: IntArray,
                  st: _Cause) -> FloatArray:  # fmt: skip
    """1 - F_g(t-) of the cause at grid times ``at``: read from the CIF when given, else
    accumulated from the increments S(t-) d / n (carried between blocks)."""
    if st.cif is not None:
        before = np.take(st.cif[g], at - 1, mode="clip")
        if at[0] == 0:
            before[0] = 0.0
        np.subtract(1.0, before, out=before)
        return before
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = _suffix(e / t1, empty, 0.0)
    _carried_cumsum(inc, st.f1[g])
    out = _shifted(np.subtract(1.0, inc), 1.0 - st.f1[g])
    st.f1[g] = inc[-1]
    return out


def _score(t1: list[FloatArray], e1: list[FloatArray], n1: FloatArray, empty: IntArray,
           at: IntArray, st: _Cause, fb: FloatArray | None) -> None:  # fmt: skip
    """Add sum of (d_i - n t1_i (1 - F_i(t-)) / tq) fb to the scores (``at``: grid times)."""
    one_f1 = [_one_minus_f1(t1[g], e, int(empty[g]), g, at, st) for g, e in enumerate(e1)]
    tq = sum(t * o for t, o in zip(t1, one_f1, strict=True))
    ratio = n1 / tq
    for i in range(st.ng - 1):
        part = t1[i] * one_f1[i]
        part *= ratio
        np.subtract(e1[i], part, out=part)
        st.score[i] += np.einsum("i,i->", part, fb) if fb is not None else part.sum()


def _j1_terms(
    bl: _Block, j: IntArray, e1: list[FloatArray], st: _Cause, rho: float
) -> tuple[FloatArray, FloatArray]:
    """Terms at the cause's event times ``j`` (block-local) of one block.

    Returns the pooled F and c[i, g] there (running values), for the competing terms.
    """
    n1 = sum(e1[1:], e1[0].copy())
    t1 = [np.take(x, j) for x in bl.t1]
    tr = np.take(bl.tr, j)
    q = n1 / tr
    f = _carried_cumsum(q.copy(), st.f)
    one_fm = _shifted(1.0 - f, 1.0 - st.f)  # 1 - F(t-), pooled
    st.f = float(f[-1])
    fb = one_fm**rho if rho != 0 else None
    empty, dead = np.searchsorted(j, bl.empty), np.searchsorted(j, bl.dead)
    _score(t1, e1, n1, empty, j + bl.lo, st, fb)
    z = q / one_fm
    if fb is not None:
        z *= fb
    ties = np.flatnonzero(n1 > 1)
    one_f = 1.0 - f
    c = np.empty((st.ng - 1, st.ng, j.size))
    for g in range(st.ng):
        with np.errstate(divide="ignore", invalid="ignore"):
            t4 = _suffix(np.subtract(1.0, one_f / np.take(bl.skm[g], j)), int(dead[g]), 1.0)
            w1 = q / t1[g]  # S(t-) n1 / (tr n)
        _suffix(w1, int(empty[g]), 0.0)
        tg = ties[: np.searchsorted(ties, empty[g])]  # tied times with someone at risk
        if tg.size:
            skmm = np.take(bl.skmm[g], j[tg])
            w1[tg] *= 1.0 - (n1[tg] - 1.0) / (tr[tg] * skmm - 1.0)
        tw = t4 * w1
        st.v3[g] += np.einsum("i,i->", tw, t4)
        b1 = _b1_terms(t1, g, tr, z, t4, fb, st, c)
        for i, b in enumerate(b1):
            st.v2[i, g] += np.einsum("i,i->", b, tw)
            bw = b * w1
            for i2 in range(i, st.ng - 1):
                st.cov[i, i2] += np.einsum("i,i->", bw, b1[i2])
    return f, c


def _b1_terms(t1: list[FloatArray], g: int, tr: FloatArray, z: FloatArray, t4: FloatArray,
              fb: FloatArray | None, st: _Cause, c: FloatArray) -> list[FloatArray]:  # fmt: skip
    """b1[i] = a[i, g] - t4 c[i, g] with a = t1_i (delta_ig - t1_g / tr) fb; c carried."""
    u = t1[g] / tr
    out = []
    for i in range(st.ng - 1):
        b = t1[i] * u
        np.negative(b, out=b)
        if i == g:
            b += t1[i]
        ci = _carried_cumsum(np.multiply(b, z, out=c[i, g]), st.c[i, g])
        st.c[i, g] = ci[-1]
        if fb is not None:
            b *= fb
        b -= t4 * ci
        out.append(b)
    return out


def _competing(bl: _Block, g: int, pos: IntArray, e2: FloatArray, f2: FloatArray,
               c2: FloatArray, st: _Cause) -> None:  # fmt: skip
    """Add group g's competing-event terms at block positions ``pos`` (F and c carried there).

    The terms vanish once the group's KM is 0 (positions from ``bl.dead[g]`` on).
    """
    cut = int(np.searchsorted(pos, bl.dead[g]))
    pos, e2, f2, c2 = pos[:cut], e2[:cut], f2[:cut], c2[:, :cut]
    u4 = 1.0 - f2
    u4 /= np.take(bl.skm[g], pos)
    rs2 = np.take(bl.rs[g], pos)
    w2 = np.take(bl.skmm[g], pos) / rs2
    w2 *= w2
    w2 *= e2
    tied = np.flatnonzero(e2 > 1)
    if tied.size:
        w2[tied] *= 1.0 - (e2[tied] - 1.0) / np.maximum(rs2[tied] - 1.0, 1.0)
    h = u4 * u4
    h *= w2
    st.v3[g] += h.sum()
    for i in range(st.ng - 1):
        hc = h * c2[i]
        st.v2[i, g] -= hc.sum()
        for i2 in range(i, st.ng - 1):
            st.cov[i, i2] += np.einsum("i,i->", hc, c2[i2])


def _cause_block(tt: _Table, bl: _Block, st: _Cause, rho: float) -> None:
    """One block of one cause: the J1 terms, then each group's competing terms."""
    p1, d1, p2, d2 = _events(tt, st.k, bl.lo, bl.hi)
    mark = np.zeros(bl.hi - bl.lo, dtype=bool)
    for p in p1:
        mark[p] = True
    j = np.flatnonzero(mark)
    upto = np.cumsum(mark)  # J1 times at or before each block position
    f0, c0 = st.f, st.c.copy()  # values before the block
    if j.size:
        e1 = []
        for p, d in zip(p1, d1, strict=True):
            e = np.zeros(j.size)
            e[np.take(upto, p) - 1] = d
            e1.append(e)
        f, c = _j1_terms(bl, j, e1, st, rho)
    else:
        f, c = np.zeros(0), np.zeros((st.ng - 1, st.ng, 0))
    for g in range(st.ng):
        if p2[g].size:
            idx = np.take(upto, p2[g])
            f2 = np.concatenate(([f0], f))[idx]
            c2 = np.concatenate((c0[:, g, None], c[:, g]), axis=1)[:, idx]
            _competing(bl, g, p2[g], d2[g], f2, c2, st)


def scores(
    tab: EventTable, causes: list[int], rho: float, cif: FloatArray | None = None
) -> list[tuple[FloatArray, FloatArray]]:
    """Scores (ng-1,) and covariance (ng-1, ng-1) of each cause index in ``causes``.

    The other causes of ``tab`` compete (cmprsk ``crst``); one stratum. ``cif`` (groups,
    causes, times), when given, is the CIF already computed on the table's times; the
    score then reads each group's F(t-) from it instead of accumulating it again.
    """
    ng = len(tab.own)
    tt = _prepare(tab)
    states = [_Cause(k=k, ng=ng, cif=None if cif is None else cif[:, k]) for k in causes]
    km = np.ones(ng)
    for lo in range(0, tab.time.size, _BLOCK):
        bl = _block(tt, lo, min(lo + _BLOCK, tab.time.size), km)
        for st in states:
            _cause_block(tt, bl, st, rho)
    out = []
    for st in states:
        cov = np.triu(st.cov) + np.triu(st.cov, 1).T
        cf = st.c
        cov += (cf * st.v3) @ cf.T + cf @ st.v2.T + st.v2 @ cf.T
        out.append((st.score, cov))
    return out


def gray_statistic(tables: list[EventTable], k: int, rho: float) -> TestResult:
    """Sum scores and covariances of cause index ``k`` over strata; ``s' V^{-1} s`` on k - 1 df.

    A singular covariance (R's ``-1``) gives NaN statistic and p-value.
    """
    ng = len(tables[0].own)
    score = np.zeros(ng - 1)
    cov = np.zeros((ng - 1, ng - 1))
    for tab in tables:
        if tab.time.size == 0:
            continue
        ((s_k, v_k),) = scores(tab, [k], rho)
        score += s_k
        cov += v_k
    return finish(score, cov)


def finish(score: FloatArray, cov: FloatArray) -> TestResult:
    """``s' V^{-1} s`` on k - 1 df; NaN for a singular covariance (R's ``-1``)."""
    df = score.size
    if not np.all(np.isfinite(cov)) or np.linalg.matrix_rank(cov) < df:
        nan = float("nan")
        return TestResult(statistic=nan, df=df, p_value=nan)
    stat = float(score @ np.linalg.solve(cov, score))
    return TestResult(statistic=stat, df=df, p_value=chi2_sf(float(stat), df))


def all_causes(
    tab: EventTable, rho: float, cif: FloatArray | None = None
) -> tuple[TestResult, ...]:
    """Gray's test of every cause of a one-stratum table, sharing the all-cause quantities
    (and the CIF ``cif``, shape (groups, causes, times), when already computed)."""
    if tab.time.size == 0:
        return ()
    ncause = tab.counts[0].shape[0]
    return tuple(finish(s, v) for s, v in scores(tab, list(range(ncause)), rho, cif))
