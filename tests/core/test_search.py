"""The lists' ``q`` search: any part of a field, whatever the case; a short search of characters
without case (most Chinese searches) compares them as they are, which finds the same rows."""

from __future__ import annotations

import pytest

from uplift.core.filtersets import search_lookup
from uplift.registry import services as reg
from uplift.registry.filtersets import EnterpriseFilterSet
from uplift.registry.models import Enterprise


@pytest.mark.parametrize(
    ("value", "lookup"),
    [
        ("艾", "contains"),
        ("蕲艾", "contains"),
        ("42", "contains"),
        ("蕲春蕲艾", "icontains"),
        ("ab", "icontains"),
    ],
)
def test_the_lookup_of_a_search(value, lookup):
    assert search_lookup(value) == lookup


def test_a_search_finds_any_part_of_a_name_whatever_its_case(w):
    qichun = reg.enterprise_create(
        actor=None,
        credit_code=w.code("421126", 21),
        name="蕲春蕲艾制品",
        region_id="421126",
        industry_id="18",
    )
    latin = reg.enterprise_create(
        actor=None,
        credit_code=w.code("421126", 22),
        name="Qichun AB Trading",
        region_id="421126",
        industry_id="18",
    )

    def found(q: str) -> set[int]:
        return set(
            EnterpriseFilterSet({"q": q}, queryset=Enterprise.objects.all()).qs.values_list("pk", flat=True)
        )

    assert qichun.pk in found("艾") and qichun.pk in found("蕲艾") and qichun.pk in found("春蕲艾")
    assert latin.pk not in found("艾")
    assert latin.pk in found("ab") and latin.pk in found("qichun ab")
    assert found(qichun.credit_code[-2:]) >= {qichun.pk}
