"""Statistical tests behind the satisfaction goals, on counts computed in SQL.

Every function takes counts, never rows: a share is k satisfied of n answers, and a
score distribution is the number of answers per score 1 to 5.
"""

import math
from dataclasses import dataclass

# NOTE: numpy and scipy are imported inside the functions that use them: together they
# add about 75 MB to a process, and most web workers never evaluate a goal.

CONFIDENCE = 0.95
ALPHA = 0.05
# Fisher's exact test replaces the z-test when a cell of the 2x2 table is expected to
# hold fewer answers than this; the usual rule for the normal approximation.
MIN_EXPECTED_COUNT = 5


def wilson_interval(successes, n, confidence=CONFIDENCE):
    """Return the Wilson score interval (low, high) of successes/n, or None when n is 0."""
    if n == 0:
        return None
    from scipy import stats

    interval = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence,
                                                           method="wilson")
    return float(interval.low), float(interval.high)


def thresholds_inside(interval, thresholds):
    """Return the thresholds (as fractions of 1) that the interval does not separate.

    A threshold t is inside when low < t <= high: the true share could be on either
    side of it, so n is too small to tell the two statuses apart.
    """
    if interval is None:
        return list(thresholds)
    low, high = interval
    return [threshold for threshold in thresholds if low < threshold <= high]


@dataclass(frozen=True)
class ProportionTest:
    """A one-sided test that the second share is larger than the first."""

    method: str  # "fisher" or "z"
    statistic: float | None
    p_value: float


def _smallest_expected_count(k1, n1, k2, n2):
    total = n1 + n2
    successes = k1 + k2
    failures = total - successes
    return min(n * column / total for n in (n1, n2) for column in (successes, failures))


def compare_proportions(k1, n1, k2, n2):
    """Test whether share k2/n2 is larger than k1/n1 (one-sided); None if a round is empty.

    Uses the pooled two-proportion z-test, or Fisher's exact test when an expected cell
    count is below MIN_EXPECTED_COUNT. A table with an empty column (everyone or no
    one satisfied in both rounds) always has an expected count of 0, so it goes to
    Fisher, whose p-value is then 1.
    """
    if n1 == 0 or n2 == 0:
        return None
    from scipy import stats

    if _smallest_expected_count(k1, n1, k2, n2) < MIN_EXPECTED_COUNT:
        table = [[k2, n2 - k2], [k1, n1 - k1]]
        result = stats.fisher_exact(table, alternative="greater")
        return ProportionTest("fisher", None, float(result.pvalue))
    # The pooled two-proportion z-test; an expected count of at least 5 in every cell
    # means neither share is 0 or 1 overall, so the standard error is positive.
    pooled = (k1 + k2) / (n1 + n2)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    statistic = (k2 / n2 - k1 / n1) / standard_error
    return ProportionTest("z", statistic, float(stats.norm.sf(statistic)))


@dataclass(frozen=True)
class RankTest:
    """Mann-Whitney U of the second round's scores against the first (one-sided)."""

    u_statistic: float
    p_value: float


def _expand(distribution):
    """Return the scores of a {score: count} distribution as an array, one per answer."""
    import numpy as np

    scores = sorted(distribution)
    return np.repeat(np.array(scores, dtype=float),
                     [distribution[score] for score in scores])


def compare_distributions(first, second):
    """Test whether the scores of second tend to be higher than those of first.

    first and second map score to number of answers. The arrays built from them have
    one element per answer, which is at most the number of answers in a round.
    Returns None when a round has no answers.
    """
    before = _expand(first)
    after = _expand(second)
    if before.size == 0 or after.size == 0:
        return None
    from scipy import stats

    result = stats.mannwhitneyu(after, before, alternative="greater", method="auto")
    return RankTest(float(result.statistic), float(result.pvalue))
