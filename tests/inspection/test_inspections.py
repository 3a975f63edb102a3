"""Sampling inspections: recording them, who sees them, pass rates and comparisons, pages, API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.inspection import selectors, services
from uplift.inspection.models import SamplingInspection

pytestmark = pytest.mark.django_db

D = datetime.date
MAY_10 = D(2018, 5, 10)


def batch(w, n, *, enterprise=None, cluster=None, on=MAY_10, passed=True, actor=None):
    enterprise = enterprise or w.ent_in
    if cluster is None:
        cluster = w.cluster_out if enterprise == w.ent_out else w.cluster_in
    return services.inspection_create(
        actor=actor,
        enterprise=enterprise,
        cluster=cluster,
        product="女式休闲裤",
        product_category="服装",
        batch_id=f"B{enterprise.pk}-{on:%Y%m%d}-{n}",
        sampled_on=on,
        inspecting_body="湖北省产品质量监督检验研究院",
        level="provincial",
        result="pass" if passed else "fail",
        failed_items="" if passed else "纤维含量",
    )


def test_the_region_and_industry_are_the_enterprises(w):
    b = batch(w, 1, actor=w.officer)
    assert (b.region_id, b.industry_id) == (w.ent_in.region_id, w.ent_in.industry_id)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"result": "fail", "failed_items": " "}, "failed_items"),
        ({"result": "pass", "failed_items": "标识"}, "failed_items"),
        ({"sampled_on": datetime.date.today() + datetime.timedelta(days=2)}, "sampled_on"),
        ({"cluster_out": True}, "cluster"),
    ],
)
def test_bad_records_are_refused_naming_the_field(w, change, field):
    data = {
        "enterprise": w.ent_in,
        "cluster": w.cluster_out if change.pop("cluster_out", False) else w.cluster_in,
        "product": "裤",
        "product_category": "服装",
        "batch_id": "X-1",
        "sampled_on": D(2018, 5, 1),
        "inspecting_body": "省质检院",
        "level": "city",
        "result": "pass",
        **change,
    }
    with pytest.raises(ValidationError) as exc:
        services.inspection_create(actor=w.officer, **data)
    assert field in exc.value.message_dict
    assert not SamplingInspection.objects.exists()


def test_a_batch_is_recorded_once(w):
    batch(w, 1)
    with pytest.raises(ValidationError) as exc:
        batch(w, 1)
    assert "batch_id" in exc.value.message_dict


def test_only_officers_of_the_region_record(w):
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        batch(w, 1, actor=w.institution_user)
    with pytest.raises(ValidationError, match="outside your scope"):
        batch(w, 2, actor=w.hunan_officer)


def test_who_sees_which_batches(w, d):
    mine, theirs = batch(w, 1), batch(w, 2, enterprise=w.ent_out)

    def seen(user):
        return set(SamplingInspection.objects.visible_to(user))

    assert seen(w.officer) == {mine} and seen(w.hunan_officer) == {theirs}
    assert seen(w.institution_user) == {mine}  # the cluster of the pilot it delivers
    assert seen(w.enterprise_user) == {mine}
    assert seen(w.nobody) == set()


def test_rates_by_group_and_a_comparison_with_the_same_enterprises(w):
    from uplift.registry import services as reg

    other = reg.enterprise_create(
        actor=None, credit_code=w.code("429004", 9), name="仙桃另一服饰", region_id="429004", industry_id="18"
    )
    reg.cluster_membership_create(actor=None, cluster=w.cluster_in, enterprise=other, joined_on=D(2018, 1, 1))
    # 2017: 3 of 10 fail (ent_in 2 of 6, other 1 of 4). 2018: 1 of 20 fails (other).
    for n in range(10):
        e = w.ent_in if n < 6 else other
        batch(w, n, enterprise=e, on=D(2017, 6, 1), passed=n not in (0, 1, 6))
    for n in range(20):
        e = w.ent_in if n < 12 else other
        batch(w, 100 + n, enterprise=e, on=D(2018, 9, 1), passed=n != 19)
    qs = SamplingInspection.objects.all()
    by_year = {r["key"]: r["rate"] for r in selectors.rates_by(qs, "year")}
    assert (by_year[2017].passed, by_year[2017].sampled) == (7, 10)
    assert (by_year[2018].passed, by_year[2018].sampled) == (19, 20)
    assert by_year[2017].small_sample and by_year[2017].method == "clopper-pearson"
    c = selectors.compare(qs, (D(2017, 1, 1), D(2017, 12, 31)), (D(2018, 1, 1), D(2018, 12, 31)))
    assert c.difference == pytest.approx(0.95 - 0.7)
    assert c.low < c.difference < c.high
    assert 0 < c.p_value < 1
    # ent_in failed in 2017 and passed in 2018; other failed in both.
    assert c.paired == {
        "enterprises": 2,
        "passed_before_only": 0,
        "passed_after_only": 1,
        "statistic": 0.0,
        "p_value": 1.0,
        "exact": True,
    }
    assert c.as_dict()["difference"]["ci95"] == [c.low, c.high]
    empty = selectors.compare(qs, (D(2016, 1, 1), D(2016, 12, 31)), (D(2018, 1, 1), D(2018, 12, 31)))
    assert empty.difference is None and empty.before.rate is None


def test_a_rate_table_names_its_groups_and_shows_the_largest_when_there_are_too_many(w):
    for n in range(3):
        batch(w, n, enterprise=w.ent_in, passed=n != 0)
    batch(w, 10, enterprise=w.ent_out, passed=False)
    qs = SamplingInspection.objects.all()
    table = selectors.rate_table(qs, "enterprise")
    assert not table.truncated
    assert [(r["key"], r["name"], r["rate"].passed, r["rate"].sampled) for r in table.rows] == [
        (w.ent_in.pk, w.ent_in.name, 2, 3),
        (w.ent_out.pk, w.ent_out.name, 0, 1),
    ]
    assert (table.overall.passed, table.overall.sampled) == (2, 4)
    # Over the limit: the largest groups only, and the overall rate still counts every batch.
    table = selectors.rate_table(qs, "enterprise", limit=1)
    assert table.truncated and [r["key"] for r in table.rows] == [w.ent_in.pk]
    assert (table.overall.passed, table.overall.sampled) == (2, 4)
    assert selectors.rate_table(qs, "region").rows[0]["name"] == w.ent_in.region.name


def test_the_rates_page_breaks_down_compares_and_drills_down(client, w):
    for n in range(10):
        batch(w, n, on=D(2017, 6, 1), passed=n > 2)
    for n in range(10):
        batch(w, 20 + n, on=D(2018, 6, 1), passed=True)
    batch(w, 99, enterprise=w.ent_out, on=D(2018, 6, 1), passed=False)  # Hunan's: not shown
    client.force_login(w.officer)
    url = reverse("inspection:rates")
    page = client.get(url, {"by": "year"})
    assert page.status_code == 200
    years = {r["key"]: r["rate"].sampled for r in page.context["rows"]}
    assert years == {2017: 10, 2018: 10}
    drill = next(r["url"] for r in page.context["rows"] if r["key"] == 2017)
    listed = client.get(drill)
    assert listed.context["table"].paginator.count == 10
    compared = client.get(
        url,
        {
            "before_from": "2017-01-01",
            "before_to": "2017-12-31",
            "after_from": "2018-01-01",
            "after_to": "2018-12-31",
        },
    )
    assert compared.context["comparison"].difference == pytest.approx(0.3)
    assert "percentage points" in compared.content.decode()
    bad = client.get(url, {"before_from": "2017-01-01"})
    assert bad.status_code == 200 and "overall" not in bad.context and bad.context["form"].errors
    overlapping = client.get(
        url,
        {
            "before_from": "2017-01-01",
            "before_to": "2018-12-31",
            "after_from": "2018-01-01",
            "after_to": "2018-12-31",
        },
    )
    assert "after_from" in overlapping.context["form"].errors
    client.force_login(w.nobody)
    assert client.get(url).status_code == 403


def test_the_api_gives_rates_with_intervals(client, w):
    for n in range(40):
        batch(w, n, passed=n % 10 != 0)
    client.force_login(w.officer)
    response = client.get(reverse("api:samplinginspection-rates"), {"by": "cluster"})
    assert response.status_code == 200
    body = response.json()
    assert body["overall"]["passed"] == 36 and body["overall"]["method"] == "wilson"
    assert body["groups"][0]["name"] == w.cluster_in.name
    lo, hi = body["overall"]["ci95"]
    assert lo < 0.9 < hi
    assert client.get(reverse("api:samplinginspection-rates"), {"by": "colour"}).status_code == 400


class TestSamplingInspection(EnterpriseByCode, ViewTestCases, APITestCases):
    model = SamplingInspection
    api_basename = "samplinginspection"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.b_in = batch(cls.w, 1)
        cls.b_out = batch(cls.w, 2, enterprise=cls.w.ent_out)

    @classmethod
    def inside(cls, w):
        return cls.b_in

    @classmethod
    def outside(cls, w):
        return cls.b_out

    def create_data(self, w):
        n = SamplingInspection.objects.count()
        return {
            "enterprise": w.ent_in,
            "cluster": w.cluster_in,
            "product": "女式休闲裤",
            "product_category": "服装",
            "batch_id": f"NEW-{n}",
            "sampled_on": D(2018, 7, 1),
            "inspecting_body": "仙桃市质检所",
            "level": "city",
            "result": "fail",
            "failed_items": "使用说明",
            "report_number": "XT-0",
        }

    def update_data(self, w, obj):
        return {
            "enterprise": obj.enterprise,
            "cluster": obj.cluster,
            "product": obj.product,
            "product_category": obj.product_category,
            "batch_id": obj.batch_id,
            "sampled_on": obj.sampled_on,
            "inspecting_body": obj.inspecting_body,
            "level": obj.level,
            "result": obj.result,
            "report_number": "XT-2018-001",
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "failed_items": ""}, "failed_items"


def test_a_projects_pass_rate_kpi_reads_its_clusters_batches_during_the_project(w, d, client):
    from uplift.delivery import selectors as delivery_selectors
    from uplift.delivery import services as delivery

    kpi = delivery.kpi_create(actor=None, project=d.project, kind="pass_rate", target=90)
    # No batch sampled yet: no evidence, the KPI is not reached.
    progress = {r["kpi"].pk: r for r in delivery_selectors.kpi_progress(d.project, [kpi])}
    assert progress[kpi.pk]["actual"] is None and progress[kpi.pk]["percent"] is None
    # The project runs from June to December 2018: May's batch does not count.
    batch(w, 0, on=D(2018, 5, 31), passed=False)
    for n in range(1, 9):
        batch(w, n, on=D(2018, 7, n), passed=n != 8)
    row = delivery_selectors.kpi_progress(d.project, [kpi])[0]
    assert row["actual"] == Decimal("87.5") and row["percent"] == round(100 * 87.5 / 90, 1)
    client.force_login(w.officer)
    assert "87.5" in client.get(d.project.get_absolute_url()).content.decode()
