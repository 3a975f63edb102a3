"""The pass-rate statistics against statsmodels, over many random cases (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from uplift.inspection import rates


@st.composite
def counts(draw, max_n=5000):
    n = draw(st.integers(min_value=1, max_value=max_n))
    return draw(st.integers(min_value=0, max_value=n)), n


@settings(max_examples=300, deadline=None)
@given(counts(), st.sampled_from([0.9, 0.95, 0.99]))
def test_wilson_matches_statsmodels(kn, confidence):
    k, n = kn
    lo, hi = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    ours = rates.wilson(k, n, confidence)
    assert ours == pytest.approx((max(lo, 0), min(hi, 1)), abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(counts(max_n=2000), st.sampled_from([0.9, 0.95, 0.99]))
def test_clopper_pearson_matches_statsmodels(kn, confidence):
    k, n = kn
    lo, hi = proportion_confint(k, n, alpha=1 - confidence, method="beta")
    lo, hi = (0.0 if k == 0 else lo), (1.0 if k == n else hi)
    assert rates.clopper_pearson(k, n, confidence) == pytest.approx((lo, hi), abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(counts(), counts())
def test_newcombe_matches_statsmodels(first, second):
    (k1, n1), (k2, n2) = first, second
    diff, lo, hi = rates.newcombe(k1, n1, k2, n2)
    sm_lo, sm_hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    assert diff == pytest.approx(k1 / n1 - k2 / n2, abs=1e-12)
    assert (lo, hi) == pytest.approx((sm_lo, sm_hi), abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(counts(), counts())
def test_two_proportion_test_matches_statsmodels(first, second):
    (k1, n1), (k2, n2) = first, second
    z, p = rates.two_proportion_test(k1, n1, k2, n2)
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0, 1):
        assert (z, p) == (0.0, 1.0)
        return
    sm_z, sm_p = proportions_ztest([k1, k2], [n1, n2])
    assert z == pytest.approx(sm_z, rel=1e-9, abs=1e-9)
    assert p == pytest.approx(sm_p, rel=1e-7, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400), st.integers(0, 50), st.integers(0, 50))
def test_mcnemar_matches_statsmodels(b, c, a, d):
    stat, p, exact = rates.mcnemar(b, c)
    assert exact == (b + c < 25)
    table = [[a, b], [c, d]]
    if exact:
        result = sm_mcnemar(table, exact=True)
    else:
        result = sm_mcnemar(table, exact=False, correction=True)
    assert stat == pytest.approx(result.statistic, rel=1e-9, abs=1e-12)
    assert p == pytest.approx(result.pvalue, rel=1e-7, abs=1e-12)


def test_the_rate_takes_the_exact_interval_for_small_samples_and_extremes():
    hanchuan_before = rates.pass_rate(64, 91)
    assert hanchuan_before.method == "wilson" and not hanchuan_before.small_sample
    assert round(hanchuan_before.rate, 3) == 0.703
    assert hanchuan_before.low < 0.703 < hanchuan_before.high
    assert rates.pass_rate(19, 20).method == "clopper-pearson" and rates.pass_rate(19, 20).small_sample
    assert rates.pass_rate(100, 100).method == "clopper-pearson"
    assert rates.pass_rate(100, 100).high == 1.0
    # 19 of 20 and 950 of 1,000 are both 95%, but not equally sure.
    small, large = rates.pass_rate(19, 20), rates.pass_rate(950, 1000)
    assert small.high - small.low > 5 * (large.high - large.low)
    empty = rates.pass_rate(0, 0)
    assert empty.rate is None and empty.as_dict()["ci95"] is None


def test_bad_counts_are_refused():
    for k, n in ((1, 0), (-1, 5), (6, 5)):
        with pytest.raises(ValueError):
            rates.wilson(k, n)


def test_the_beta_function_at_known_points():
    assert rates.betainc(1, 1, 0.3) == pytest.approx(0.3)  # the uniform distribution
    assert rates.betainc(2, 3, 0.4) == pytest.approx(0.5248, abs=1e-12)
    assert rates.beta_quantile(0.5, 5, 5) == pytest.approx(0.5, abs=1e-12)
    assert math.isclose(rates.betainc(0.5, 0.5, 0.5), 0.5, abs_tol=1e-12)
