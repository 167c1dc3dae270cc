"""Statistics over plain numbers: no Flask, no database, so reports, CLI and API share them.

Every result is a frozen dataclass with `.as_dict()`; undefined figures are None, never NaN.
"""

from assessment.stats.association import CrosstabTest, ShareSplit, crosstab_test, split_share
from assessment.stats.benchmark import BenchmarkSummary, benchmark_summary, percentile_rank
from assessment.stats.correlation import Correlation, benjamini_hochberg, pearson, spearman
from assessment.stats.descriptive import (
    MeanDifference,
    MeanSummary,
    Proportion,
    category_shares,
    difference_ci,
    mean_ci,
    proportion,
    wilson_interval,
)
from assessment.stats.privacy import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    is_reportable,
    is_suppressed,
    suppress_counts,
    suppress_groups,
    suppress_table,
    suppressed_cell,
)
from assessment.stats.reliability import Reliability, cronbach_alpha

__all__ = [
    "DEFAULT_THRESHOLD",
    "SUPPRESSED",
    "BenchmarkSummary",
    "Correlation",
    "CrosstabTest",
    "MeanDifference",
    "MeanSummary",
    "Proportion",
    "Reliability",
    "ShareSplit",
    "benchmark_summary",
    "benjamini_hochberg",
    "category_shares",
    "crosstab_test",
    "cronbach_alpha",
    "difference_ci",
    "is_reportable",
    "is_suppressed",
    "mean_ci",
    "pearson",
    "percentile_rank",
    "proportion",
    "spearman",
    "split_share",
    "suppress_counts",
    "suppress_groups",
    "suppress_table",
    "suppressed_cell",
    "wilson_interval",
]
