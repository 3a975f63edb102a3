"""Pass rates with their uncertainty, and before/after comparisons: the formulas, one per function.

A pass rate is ``passed / sampled`` batches. Leaders read "70.3% → 95%"; what they should also
read is how sure that is: 19 of 20 batches and 950 of 1,000 are both 95%, but the first could
well be 75%. So every rate here comes with its 95% interval and a warning when the sample is
small, and a change comes with the interval of the difference and a test.

Everything is plain Python (``math``, ``statistics.NormalDist``): the few distributions needed —
the normal, the binomial, the beta through the regularized incomplete beta function — are small
and exact enough, and a web process should not load SciPy for them. ``tests/inspection/
test_rates.py`` compares every function with statsmodels over many random cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

#: Below this many batches a rate is flagged as a small sample, and the interval is exact.
SMALL_SAMPLE = 30
_NORMAL = NormalDist()


def _z(confidence: float) -> float:
    """The two-sided normal critical value: 1.96 for 95%."""
    return _NORMAL.inv_cdf(1 - (1 - confidence) / 2)


def wilson(passed: int, sampled: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927).

    With p̂ = k/n and z the critical value::

        centre = (p̂ + z²/2n) / (1 + z²/n)
        half   = z · √(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)

    Unlike the textbook p̂ ± z·√(p̂(1−p̂)/n) it never leaves [0, 1] and keeps close to its nominal
    coverage for moderate n and rates near 0 or 1.
    """
    _check(passed, sampled)
    z = _z(confidence)
    p, n, z2 = passed / sampled, sampled, z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson(passed: int, sampled: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson "exact" interval (1934), from the binomial distribution itself.

    With α = 1 − confidence, the bounds are beta quantiles::

        lower = B⁻¹(α/2; k, n−k+1)      (0 when k = 0)
        upper = B⁻¹(1−α/2; k+1, n−k)    (1 when k = n)

    Conservative (coverage at least the nominal level), which is what a small sample or a rate of
    0 or 1 calls for.
    """
    _check(passed, sampled)
    alpha = 1 - confidence
    k, n = passed, sampled
    lower = 0.0 if k == 0 else beta_quantile(alpha / 2, k, n - k + 1)
    upper = 1.0 if k == n else beta_quantile(1 - alpha / 2, k + 1, n - k)
    return lower, upper


@dataclass(frozen=True)
class Rate:
    """A pass rate with its interval: which method gave it, and whether the sample is small."""

    passed: int
    sampled: int
    rate: float | None
    low: float | None
    high: float | None
    method: str
    small_sample: bool

    # Percentages for pages (and SVG coordinates on a 0–100 axis).
    @property
    def percent(self) -> float | None:
        return None if self.rate is None else 100 * self.rate

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else 100 * self.low

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else 100 * self.high

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "sampled": self.sampled,
            "rate": self.rate,
            "ci95": [self.low, self.high] if self.rate is not None else None,
            "method": self.method,
            "small_sample": self.small_sample,
        }


def pass_rate(passed: int, sampled: int, confidence: float = 0.95) -> Rate:
    """The rate with a Wilson interval, or Clopper–Pearson when n < 30 or the rate is 0 or 1
    (where Wilson's approximation is weakest). No batches: no rate."""
    if sampled == 0:
        return Rate(0, 0, None, None, None, "", True)
    exact = sampled < SMALL_SAMPLE or passed in (0, sampled)
    low, high = (clopper_pearson if exact else wilson)(passed, sampled, confidence)
    return Rate(
        passed,
        sampled,
        passed / sampled,
        low,
        high,
        "clopper-pearson" if exact else "wilson",
        sampled < SMALL_SAMPLE,
    )


def newcombe(
    passed1: int, sampled1: int, passed2: int, sampled2: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """The difference p₁ − p₂ of two independent rates and its Newcombe hybrid score interval
    (Newcombe 1998, method 10), built from each rate's Wilson interval (l, u)::

        lower = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²)
        upper = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²)
    """
    p1, p2 = passed1 / sampled1, passed2 / sampled2
    l1, u1 = wilson(passed1, sampled1, confidence)
    l2, u2 = wilson(passed2, sampled2, confidence)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def two_proportion_test(passed1: int, sampled1: int, passed2: int, sampled2: int) -> tuple[float, float]:
    """The two-sided z test that two independent rates are equal, with the pooled variance::

        p̄ = (k₁ + k₂) / (n₁ + n₂),   z = (p₁ − p₂) / √(p̄(1−p̄)(1/n₁ + 1/n₂)),   p = 2(1 − Φ(|z|))

    Returns (z, p). When every batch passed (or none did) there is nothing to tell apart: z = 0,
    p = 1.
    """
    p1, p2 = passed1 / sampled1, passed2 / sampled2
    pooled = (passed1 + passed2) / (sampled1 + sampled2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / sampled1 + 1 / sampled2))
    if se == 0:
        return 0.0, 1.0
    z = (p1 - p2) / se
    return z, 2 * _NORMAL.cdf(-abs(z))


def mcnemar(only_first: int, only_second: int) -> tuple[float, float, bool]:
    """McNemar's test for the same units observed twice (an enterprise passing before and not
    after, or the reverse); only the discordant counts b and c matter.

    Exact when b + c < 25: p = min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, ½). Otherwise
    the χ² statistic with continuity correction, (|b − c| − 1)² / (b + c), on one degree of
    freedom. Returns (statistic, p, exact); the exact test's statistic is min(b, c).
    """
    b, c = only_first, only_second
    n = b + c
    if n < 25:
        k = min(b, c)
        tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
        return float(k), min(1.0, 2 * tail), True
    stat = (abs(b - c) - 1) ** 2 / n
    return stat, math.erfc(math.sqrt(stat / 2)), False


# --- The beta distribution -------------------------------------------------------------------


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b).

    Evaluated by its continued fraction (modified Lentz), on whichever of x and 1 − x converges
    fast (Numerical Recipes §6.4).
    """
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 1e-16
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a - 1 + m2) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < eps:
            break
    return h


def beta_quantile(p: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = p, by bisection (I is increasing in x) to the precision of a float."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if betainc(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2


def _check(passed: int, sampled: int) -> None:
    if sampled <= 0 or not 0 <= passed <= sampled:
        raise ValueError(f"need 0 <= passed <= sampled and sampled > 0, got {passed}/{sampled}")
