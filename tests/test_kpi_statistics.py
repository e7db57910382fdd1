"""The statistics behind the satisfaction goals, checked against formulas computed here."""

import math
from statistics import NormalDist

import pytest

from kpi import statistics

Z95 = NormalDist().inv_cdf(0.975)


def wilson_by_formula(k, n, z=Z95):
    share = k / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half_width = z / denominator * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return centre - half_width, centre + half_width


@pytest.mark.parametrize("k, n", [(16, 17), (1, 1), (0, 5), (9, 10), (180, 200), (1799, 2000)])
def test_wilson_interval_matches_formula(k, n):
    low, high = statistics.wilson_interval(k, n)
    expected_low, expected_high = wilson_by_formula(k, n)
    assert low == pytest.approx(expected_low, abs=1e-12)
    assert high == pytest.approx(expected_high, abs=1e-12)


def test_wilson_interval_field_case_literals():
    low, high = statistics.wilson_interval(16, 17)
    assert round(low, 4) == 0.7302
    assert round(high, 4) == 0.9895


def test_wilson_interval_of_no_answers_is_none():
    assert statistics.wilson_interval(0, 0) is None


def test_thresholds_inside_interval():
    assert statistics.thresholds_inside((0.7302, 0.9895), [0.8, 0.9]) == [0.8, 0.9]
    assert statistics.thresholds_inside((0.85, 0.95), [0.8, 0.9]) == [0.9]
    assert statistics.thresholds_inside((0.91, 0.97), [0.8, 0.9]) == []
    # A lower bound exactly at a threshold cannot fall below it.
    assert statistics.thresholds_inside((0.9, 0.97), [0.8, 0.9]) == []


def fisher_greater_by_formula(k1, n1, k2, n2):
    """P(X >= k2) for X hypergeometric: n2 draws from n1+n2 with k1+k2 successes."""
    total, successes = n1 + n2, k1 + k2
    return sum(math.comb(successes, x) * math.comb(total - successes, n2 - x)
               for x in range(k2, min(successes, n2) + 1)) / math.comb(total, n2)


def test_small_counts_use_fisher_exact():
    result = statistics.compare_proportions(8, 10, 10, 10)

    assert result.method == "fisher"
    assert result.p_value == pytest.approx(43758 / 184756, abs=1e-12)
    assert result.p_value == pytest.approx(fisher_greater_by_formula(8, 10, 10, 10), abs=1e-12)


def test_everyone_satisfied_in_both_rounds_gives_p_one():
    result = statistics.compare_proportions(30, 30, 40, 40)
    assert result.method == "fisher"
    assert result.p_value == pytest.approx(1.0)


def test_large_counts_use_pooled_z_test():
    result = statistics.compare_proportions(60, 100, 75, 100)

    pooled = 135 / 200
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 100))
    z = (0.75 - 0.60) / standard_error
    assert result.method == "z"
    assert result.statistic == pytest.approx(z, abs=1e-9)
    assert result.p_value == pytest.approx(1 - NormalDist().cdf(z), abs=1e-9)
    assert round(result.p_value, 4) == 0.0118


def test_expected_count_five_uses_z_test():
    # Failures 10 of 100: expected failures per round of 50 is exactly 5.
    assert statistics.compare_proportions(45, 50, 45, 50).method == "z"
    assert statistics.compare_proportions(46, 50, 45, 50).method == "fisher"


def test_empty_round_gives_no_test():
    assert statistics.compare_proportions(0, 0, 5, 10) is None
    assert statistics.compare_distributions({5: 0}, {5: 3}) is None


def mann_whitney_by_formula(after, before):
    """U of after with its one-sided p (normal approximation, ties and continuity)."""
    u = 0.0
    for a in after:
        for b in before:
            if a > b:
                u += 1.0
            elif a == b:
                u += 0.5
    n1, n2 = len(after), len(before)
    n = n1 + n2
    pooled = after + before
    ties = sum(pooled.count(value) ** 3 - pooled.count(value) for value in set(pooled))
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    z = (u - n1 * n2 / 2 - 0.5) / math.sqrt(variance)
    return u, 1 - NormalDist().cdf(z)


def test_mann_whitney_matches_formula():
    before = {1: 1, 2: 1, 3: 2, 4: 1, 5: 0}
    after = {1: 0, 2: 0, 3: 1, 4: 2, 5: 2}
    result = statistics.compare_distributions(before, after)

    expected_u, expected_p = mann_whitney_by_formula([3, 4, 4, 5, 5], [1, 2, 3, 3, 4])
    assert result.u_statistic == expected_u == 22.0
    assert result.p_value == pytest.approx(expected_p, abs=1e-12)
