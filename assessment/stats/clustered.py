"""Respondent-level figures of a pool of organisations, allowing for clustering.

Respondents of one organisation answer alike, so treating the pool's 15,000 respondents
as independent overstates the precision of everything computed from them. Here every
interval is a cluster bootstrap: organisations (the clusters) are resampled with
replacement, each with all its respondents, and the figure is recomputed on each
resample (scipy.stats.bootstrap with `paired=True` over per-organisation sums, percentile
interval, a fixed seed so every report is repeatable). Tests use the bootstrap's
standard error: a Wald test for differences and correlations, and the Rao-Scott
first-order correction (Pearson's X^2 divided by the mean design effect of the groups'
shares) for cross-tabulations. Each result says so with `interval: "cluster_bootstrap"`
and gives `clusters` (organisations) and, for shares, the `design_effect` (bootstrap
variance over the binomial variance). Where the bootstrap cannot be computed (a single
organisation, or every resample giving the same figure) the independent interval stays
and `interval` names it (`wilson`, `bonett_wright`, `fisher_z`, `welch`, `feldt`).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

import numpy as np
from scipy import stats

from assessment.stats.association import crosstab_test
from assessment.stats.descriptive import finite_or_none, proportion

CLUSTER_BOOTSTRAP: Final = "cluster_bootstrap"  # the "interval" code of these figures
RAO_SCOTT: Final = "chi-square-rao-scott"  # the "test" of a clustered cross-tabulation
RESAMPLES: Final = 1999
SEED: Final = 20151231
MIN_CLUSTERS: Final = 2
MIN_FINITE_SHARE: Final = 0.95  # of resamples that must give a figure

Statistic = Callable[..., np.ndarray]
T = TypeVar("T")
DRAWN: Final = 50  # resamples drawn at once (4 MB at 10,000 clusters)
KEPT_SIZE: Final = 500  # up to this many clusters a process keeps the draws (8 MB)
_KEPT_DRAWS: Final = 4  # cluster counts whose draws a process keeps


def _drawn(size: int) -> Iterator[tuple[int, np.ndarray]]:
    """How many times each of `size` clusters appears in each of the RESAMPLES
    resamples, DRAWN resamples at a time: (first resample, counts of DRAWN x size).

    The very draws `scipy.stats.bootstrap(..., paired=True, rng=np.random.default_rng(
    SEED))` makes (`integers(0, size, (batch, size))`: drawn row after row from one
    stream, so the batches it draws in do not change them), kept as counts: every
    figure over `size` clusters then resamples the same organisations as scipy would,
    by a matrix product over per-cluster sums instead of a gather per figure (at 10,000
    organisations scipy took a second a figure, most of it drawing). A few resamples at
    a time: all 1,999 at 10,000 clusters would hold 20 MB as bytes and 160 MB drawn.
    """
    rng = np.random.default_rng(SEED)
    for start in range(0, RESAMPLES, DRAWN):
        rows = min(DRAWN, RESAMPLES - start)
        drawn = rng.integers(0, size, (rows, size))
        drawn += np.arange(rows)[:, None] * size  # each resample's clusters apart
        counts = np.bincount(drawn.ravel(), minlength=rows * size).reshape(rows, size)
        yield start, counts.astype(float)  # float @ float is BLAS's; int @ float is not


@functools.lru_cache(maxsize=_KEPT_DRAWS)
def _multiplicities(size: int) -> np.ndarray:
    """`_drawn(size)` as one RESAMPLES x size array of float, kept for small sizes
    (KEPT_SIZE clusters at most: a campaign's or a comparison's figures ask for the same
    sizes again and again). Read-only, shared by the figures of one process."""
    counts = np.empty((RESAMPLES, size))
    for start, block in _drawn(size):
        counts[start:start + len(block)] = block
    counts.flags.writeable = False
    return counts


def _totals(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Per-cluster arrays of one length, each summed over every resample's clusters:
    a RESAMPLES x len(columns) array."""
    size = len(columns[0])
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    if size <= KEPT_SIZE:
        return _multiplicities(size) @ stacked
    totals = np.empty((RESAMPLES, stacked.shape[1]))
    for start, block in _drawn(size):
        totals[start:start + len(block)] = block @ stacked
    return totals


# Within `shared_resamples`: the per-cluster arrays the figures resample (first pass),
# then their totals over the resamples (second pass), by content.
_recorded: contextvars.ContextVar[dict[bytes, np.ndarray] | None] = contextvars.ContextVar(
    "recorded_columns", default=None)
_shared: contextvars.ContextVar[dict[bytes, np.ndarray] | None] = contextvars.ContextVar(
    "shared_totals", default=None)


def _key(column: np.ndarray) -> bytes:
    data = np.ascontiguousarray(column, dtype=float)
    return hashlib.blake2b(data.tobytes(), digest_size=16).digest() + bytes(str(data.size),
                                                                            "ascii")


def shared_resamples(compute: Callable[[], T]) -> T:
    """`compute()`, its cluster bootstraps sharing one pass over the resamples per
    number of clusters: figures are computed twice, first only noting which per-cluster
    arrays they resample, then with every array's totals over the resamples found at
    once (one matrix product per number of clusters instead of one per figure). The
    figures are those `compute()` gives alone."""
    recorded: dict[bytes, np.ndarray] = {}
    token = _recorded.set(recorded)
    try:
        compute()
    finally:
        _recorded.reset(token)
    by_size: dict[int, list[bytes]] = {}
    for key, column in recorded.items():
        by_size.setdefault(column.size, []).append(key)
    shared: dict[bytes, np.ndarray] = {}
    for keys in by_size.values():
        totals = _totals([recorded[k] for k in keys])
        shared.update({k: totals[:, j] for j, k in enumerate(keys)})
    token = _shared.set(shared)
    try:
        return compute()
    finally:
        _shared.reset(token)


def _resampled_totals(sums: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each per-cluster array summed over every resample's clusters (RESAMPLES values)."""
    shared = _shared.get()
    if shared is not None:
        found = [shared.get(_key(s)) for s in sums]
        if all(f is not None for f in found):
            return [f for f in found if f is not None]
    totals = _totals(sums)
    return [totals[:, j] for j in range(totals.shape[1])]


def _bootstrap(sums: Sequence[np.ndarray], statistic: Statistic,
               confidence: float) -> tuple[float | None, float | None, float | None]:
    """Percentile interval and standard error of `statistic` over resampled clusters.

    `sums` are per-cluster arrays (one value per organisation); `statistic` takes their
    totals over a resample's clusters (arrays of one total per resample). The same
    resamples, interval and standard error as `scipy.stats.bootstrap` with `paired=True`
    and the percentile method (see `_multiplicities`).
    """
    if len(sums[0]) < MIN_CLUSTERS:
        return None, None, None
    recorded = _recorded.get()
    if recorded is not None:
        recorded.update({_key(s): np.asarray(s, dtype=float) for s in sums})
        return None, None, None
    with np.errstate(invalid="ignore", divide="ignore"):
        # A resample that happens to hold no member of a group gives NaN (0 / 0), or a
        # correlation of a resample without spread gives an infinity; such resamples are
        # left out below.
        spread = np.asarray(statistic(*_resampled_totals(sums)), dtype=float)
    finite = spread[np.isfinite(spread)]
    if finite.size < MIN_FINITE_SHARE * spread.size or float(np.ptp(finite)) == 0.0:
        # Every resample gives the same figure (e.g. nobody anywhere said yes), or too
        # many resamples have no figure at all.
        return None, None, None
    tail = (1 - confidence) / 2
    low, high = np.quantile(finite, [tail, 1 - tail])
    return finite_or_none(low), finite_or_none(high), finite_or_none(np.std(finite, ddof=1))


def _per_cluster(values: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=size)


def _clusters(clusters: Sequence[int]) -> tuple[np.ndarray, int]:
    _, index = np.unique(np.asarray(clusters), return_inverse=True)
    return index, int(index.max()) + 1 if index.size else 0


def _present(n: np.ndarray, *sums: np.ndarray) -> list[np.ndarray]:
    """The per-cluster arrays of the clusters with anyone in them (n > 0): a cluster
    without a member of this figure is no cluster of it, as in the per-respondent form."""
    keep = np.asarray(n, dtype=float) > 0
    return [np.asarray(s, dtype=float)[keep] for s in (n, *sums)]


def _ratio(successes: np.ndarray, n: np.ndarray) -> np.ndarray:
    return successes / n


def clustered_share(successes: Sequence[bool], clusters: Sequence[int],
                    confidence: float = 0.95) -> dict[str, Any]:
    """A share with its cluster-bootstrap interval: the `proportion` keys plus
    `interval`, `clusters` and `design_effect`."""
    hits = np.asarray(successes, dtype=float)
    index, size = _clusters(clusters)
    return cluster_share(_per_cluster(hits, index, size),
                         np.bincount(index, minlength=size), confidence)


def cluster_share(successes: np.ndarray, n: np.ndarray,
                  confidence: float = 0.95) -> dict[str, Any]:
    """`clustered_share` from per-cluster counts: successes and respondents of each
    organisation (organisations with none left out)."""
    n, s = _present(n, successes)
    total, hits = int(round(n.sum())), int(round(s.sum()))
    base = proportion(hits, total, confidence).as_dict()
    out = base | {"interval": "wilson", "clusters": int(n.size), "design_effect": None}
    if total == 0:
        return out
    low, high, se = _bootstrap([s, n], _ratio, confidence)
    if se is None:
        return out
    share = base["share"]
    binomial = share * (1 - share) / total
    return out | {"ci_low": low, "ci_high": high, "interval": CLUSTER_BOOTSTRAP,
                  "design_effect": finite_or_none(se * se / binomial) if binomial > 0
                  else None}


def clustered_split(groups: Mapping[str, tuple[Sequence[bool], Sequence[int]]],
                    confidence: float = 0.95) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per-group shares with cluster-bootstrap intervals, and the Rao-Scott corrected
    chi-square test of whether the share differs between the groups (the independent
    test of `crosstab_test` when a group's design effect cannot be computed).

    `groups` maps a label to (success per respondent, organisation per respondent).
    """
    counts = {}
    for label, (hits, ids) in groups.items():
        index, size = _clusters(ids)
        counts[label] = (_per_cluster(np.asarray(hits, dtype=float), index, size),
                         np.bincount(index, minlength=size))
    return cluster_split(counts, confidence)


def cluster_split(groups: Mapping[str, tuple[np.ndarray, np.ndarray]],
                  confidence: float = 0.95) -> tuple[dict[str, Any], dict[str, Any]]:
    """`clustered_split` from per-cluster counts: each label's (successes, respondents)
    per organisation."""
    shares = {label: cluster_share(s, n, confidence) for label, (s, n) in groups.items()}
    counts = np.asarray([[shares[label]["successes"] for label in groups],
                         [shares[label]["n"] - shares[label]["successes"] for label in groups]])
    test = crosstab_test(counts.tolist()).as_dict() | {"design_effect": None}
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    effects = [cell["design_effect"] for cell in shares.values() if cell["n"]]
    if min(counts.shape) < 2 or not effects or any(e is None for e in effects):
        return shares, test  # no bootstrap to correct by: the independent test stands
    # Rao & Scott (1981): X^2 over the mean design effect is approximately chi-square
    # with the usual degrees of freedom. A design effect below 1 is taken as 1, so the
    # correction never makes a test more liberal than the independent one.
    mean_effect = max(1.0, float(np.mean(effects)))
    chi2, _p, dof, _expected = stats.chi2_contingency(counts, correction=False)
    corrected = float(chi2) / mean_effect
    return shares, test | {"test": RAO_SCOTT, "statistic": finite_or_none(corrected),
                           "p_value": finite_or_none(stats.chi2.sf(corrected, dof)),
                           "dof": int(dof), "design_effect": mean_effect, "warning": None}


def _pearson_from_sums(n: np.ndarray, sx: np.ndarray, sy: np.ndarray, sxx: np.ndarray,
                       syy: np.ndarray, sxy: np.ndarray) -> np.ndarray:
    cov = sxy - sx * sy / n
    var_x = sxx - sx * sx / n
    var_y = syy - sy * sy / n
    return cov / np.sqrt(var_x * var_y)


def clustered_correlation(r: float | None, x: Sequence[float], y: Sequence[float],
                          clusters: Sequence[int], confidence: float = 0.95,
                          ranks: bool = False) -> dict[str, Any]:
    """The cluster-bootstrap interval and Wald p-value of a correlation r of the
    complete pairs (x, y) (Spearman's when `ranks`: ranks are taken over the whole pool
    once, and Pearson's r of the ranks is resampled). Only `interval` and `clusters`
    when the bootstrap cannot be computed: the independent figures stand."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if r is None or xs.size == 0:
        return {"interval": "bonett_wright" if ranks else "fisher_z",
                "clusters": len(set(clusters))}
    if ranks:
        xs, ys = stats.rankdata(xs), stats.rankdata(ys)
    index, size = _clusters(clusters)
    sums = [np.bincount(index, minlength=size).astype(float)] + [
        _per_cluster(v, index, size) for v in (xs, ys, xs * xs, ys * ys, xs * ys)]
    return cluster_correlation(r, sums, confidence, ranks)


def cluster_correlation(r: float | None, sums: Sequence[np.ndarray],
                        confidence: float = 0.95, ranks: bool = False) -> dict[str, Any]:
    """`clustered_correlation` from per-cluster sums of the complete pairs: n, sum of
    x, of y, of x^2, of y^2 and of x*y per organisation (of the pool-wide ranks for
    Spearman's)."""
    out: dict[str, Any] = {"interval": "bonett_wright" if ranks else "fisher_z"}
    present = _present(*sums)
    out["clusters"] = int(present[0].size)
    if r is None or present[0].sum() == 0:
        return out
    low, high, se = _bootstrap(present, _pearson_from_sums, confidence)
    if se is None or abs(r) >= 1.0:
        return out
    # Wald test on Fisher's z, its standard error by the delta method from the bootstrap's.
    z = math.atanh(r) / (se / (1 - r * r))
    return out | {"ci_low": low, "ci_high": high, "interval": CLUSTER_BOOTSTRAP,
                  "p_value": finite_or_none(2 * stats.norm.sf(abs(z)))}


def _difference_from_sums(sa: np.ndarray, na: np.ndarray, sb: np.ndarray,
                          nb: np.ndarray) -> np.ndarray:
    return sa / na - sb / nb


def clustered_difference(a: Sequence[float], a_clusters: Sequence[int],
                         b: Sequence[float], b_clusters: Sequence[int],
                         confidence: float = 0.95) -> dict[str, Any]:
    """mean(a) - mean(b) with its cluster-bootstrap interval and Wald p-value (both
    groups resampled together, organisation by organisation); only `clusters` when the
    bootstrap cannot be computed (the independent figures stand)."""
    values_a, values_b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    index, size = _clusters([*a_clusters, *b_clusters])
    ia, ib = index[:values_a.size], index[values_a.size:]
    return cluster_difference(
        _per_cluster(values_a, ia, size), np.bincount(ia, minlength=size),
        _per_cluster(values_b, ib, size), np.bincount(ib, minlength=size), confidence)


def cluster_difference(sum_a: np.ndarray, n_a: np.ndarray, sum_b: np.ndarray,
                       n_b: np.ndarray, confidence: float = 0.95) -> dict[str, Any]:
    """`clustered_difference` from per-cluster sums and counts of each group
    (organisations with a member of either group are the clusters)."""
    na, nb = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    _both, sa, na, sb, nb = _present(na + nb, sum_a, na, sum_b, nb)
    out: dict[str, Any] = {"clusters": int(na.size)}
    if na.sum() == 0 or nb.sum() == 0:
        return out
    low, high, se = _bootstrap([sa, na, sb, nb], _difference_from_sums, confidence)
    if se is None or se == 0:
        return out
    difference = float(sa.sum() / na.sum() - sb.sum() / nb.sum())
    return out | {"ci_low": low, "ci_high": high, "interval": CLUSTER_BOOTSTRAP,
                  "p_value": finite_or_none(2 * stats.norm.sf(abs(difference) / se))}


def clustered_alpha(matrix: Sequence[Sequence[float | None]], clusters: Sequence[int],
                    confidence: float = 0.95) -> dict[str, Any]:
    """The cluster-bootstrap interval of Cronbach's alpha (complete rows only); only
    `interval` and `clusters` when it cannot be computed (Feldt's interval stands)."""
    rows = [(row, c) for row, c in zip(matrix, clusters, strict=True)
            if all(v is not None for v in row)]
    k = len(rows[0][0]) if rows else 0
    scores = np.asarray([row for row, _ in rows], dtype=float).reshape(len(rows), k)
    index, size = _clusters([c for _, c in rows])
    pairs = item_pairs(k)
    return cluster_alpha(
        np.bincount(index, minlength=size),
        [_per_cluster(scores[:, i], index, size) for i in range(k)],
        [_per_cluster(scores[:, i] * scores[:, j], index, size) for i, j in pairs],
        confidence)


def item_pairs(k: int) -> list[tuple[int, int]]:
    """The (i, j) pairs, i <= j, of k items, in the order `cluster_alpha` takes them."""
    return [(i, j) for i in range(k) for j in range(i, k)]


def cluster_alpha(n: np.ndarray, item_sums: Sequence[np.ndarray],
                  product_sums: Sequence[np.ndarray],
                  confidence: float = 0.95) -> dict[str, Any]:
    """`clustered_alpha` from per-cluster sums over complete rows: respondents, each
    item's sum and each pair's sum of products (in `item_pairs` order)."""
    k = len(item_sums)
    present = _present(n, *item_sums, *product_sums)
    out: dict[str, Any] = {"interval": "feldt", "clusters": int(present[0].size)}
    if present[0].sum() < 3 or k < 2:
        return out
    pairs = item_pairs(k)

    def alpha(total_n: np.ndarray, *parts: np.ndarray) -> np.ndarray:
        means = [p / total_n for p in parts[:k]]
        cov = {pair: parts[k + p] / total_n - means[pair[0]] * means[pair[1]]
               for p, pair in enumerate(pairs)}
        item_variance = sum(cov[(i, i)] for i in range(k))
        total_variance = item_variance + 2 * sum(cov[(i, j)] for i, j in pairs if i != j)
        return k / (k - 1) * (1 - item_variance / total_variance)

    low, high, se = _bootstrap(present, alpha, confidence)
    if se is None:
        return out
    return out | {"ci_low": low, "ci_high": high, "interval": CLUSTER_BOOTSTRAP}
