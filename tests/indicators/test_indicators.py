"""Economic indicators: recording a yearly figure, who sees it, growth year on year and CAGR."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.indicators import selectors, services
from uplift.indicators.models import EconomicIndicator

pytestmark = pytest.mark.django_db


def figure(w, year, value, *, kind="output_value", actor=None, **subject):
    subject = subject or {"cluster": w.cluster_in}
    return services.indicator_create(
        actor=actor, kind=kind, year=year, value=Decimal(value), source="统计年鉴", **subject
    )


def test_the_region_is_the_subjects(w):
    assert figure(w, 2017, "100").region_id == w.cluster_in.region_id
    assert figure(w, 2017, "5", enterprise=w.ent_in).region_id == w.ent_in.region_id
    assert figure(w, 2017, "900", region_id="420000").region_id == "420000"


@pytest.mark.parametrize(
    ("subject", "year", "field"),
    [
        ({"both": True}, 2017, "cluster"),
        ({}, 2999, "year"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(w, subject, year, field):
    extra = {"cluster": w.cluster_in, "enterprise": w.ent_in} if subject.get("both") else {}
    with pytest.raises(ValidationError) as exc:
        figure(w, year, "1", **extra)
    assert field in exc.value.message_dict
    assert not EconomicIndicator.objects.exists()


def test_a_year_is_recorded_once_per_subject_and_indicator(w):
    figure(w, 2017, "100")
    with pytest.raises(ValidationError) as exc:
        figure(w, 2017, "120")
    assert "already has its 2017" in exc.value.message_dict["year"][0]
    figure(w, 2017, "120", kind="sales_revenue")  # another indicator
    figure(w, 2017, "7", enterprise=w.ent_in)  # another subject


def test_only_officers_of_the_region_record(w):
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        figure(w, 2017, "1", actor=w.institution_user)
    with pytest.raises(ValidationError, match="outside your scope"):
        figure(w, 2017, "1", actor=w.hunan_officer, enterprise=w.ent_in)


def test_who_sees_which_figures(w, d):
    cluster_in, ent_in = figure(w, 2017, "100"), figure(w, 2017, "5", enterprise=w.ent_in)
    cluster_out = figure(w, 2017, "80", cluster=w.cluster_out)

    def seen(user):
        return set(EconomicIndicator.objects.visible_to(user))

    assert seen(w.officer) == {cluster_in, ent_in} and seen(w.hunan_officer) == {cluster_out}
    assert seen(w.institution_user) == {cluster_in, ent_in}
    assert seen(w.enterprise_user) == {ent_in}


def test_growth_year_on_year_and_compound(w):
    for year, value in ((2014, "20000"), (2015, "24300"), (2016, "30500"), (2018, "48051.5")):
        figure(w, year, value, kind="sales_revenue")
    rows = selectors.series(EconomicIndicator.objects.filter(kind="sales_revenue"))
    growth = {r["row"].year: r["growth"] for r in selectors.year_on_year(rows)}
    assert growth[2014] is None and growth[2018] is None  # 2017 is missing: no year on year
    assert growth[2015] == Decimal("0.215")
    result = selectors.cagr(rows)
    assert (result["from_year"], result["to_year"], result["years"]) == (2014, 2018, 4)
    assert result["value"] == pytest.approx(0.245, abs=1e-5)
    assert result["rows"] == [rows[0].pk, rows[-1].pk]
    assert selectors.cagr(rows, 2015, 2016)["value"] == pytest.approx(30500 / 24300 - 1)
    assert selectors.cagr(rows[:1]) is None and selectors.cagr(rows, 2016, 2015) is None


def test_the_page_shows_the_series_and_its_growth(client, w):
    first = figure(w, 2016, "1600")
    figure(w, 2018, "3050")
    client.force_login(w.officer)
    page = client.get(first.get_absolute_url())
    assert page.status_code == 200
    assert page.context["cagr"]["percent"] == pytest.approx(38.1)
    assert len(page.context["series"]) == 2


class TestEconomicIndicator(EnterpriseByCode, ViewTestCases, APITestCases):
    model = EconomicIndicator
    api_basename = "economicindicator"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.f_in = figure(cls.w, 2017, "100")
        cls.f_out = figure(cls.w, 2017, "80", cluster=cls.w.cluster_out)

    @classmethod
    def inside(cls, w):
        return cls.f_in

    @classmethod
    def outside(cls, w):
        return cls.f_out

    def create_data(self, w):
        year = 2000 + EconomicIndicator.objects.count()
        return {
            "kind": "employees",
            "year": year,
            "cluster": w.cluster_in,
            "value": "25000",
            "source": "年报",
        }

    def update_data(self, w, obj):
        return {
            "kind": obj.kind,
            "year": obj.year,
            "cluster": obj.cluster,
            "region": obj.region_id,
            "value": "101.50",
            "source": "统计年鉴（修订）",
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "value": "-5"}, "value"
