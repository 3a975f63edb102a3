"""The dashboard's charts: read from the rollups, every point drilling down to the records it counts."""

from __future__ import annotations

import datetime
import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from uplift.inspection.models import SamplingInspection
from uplift.inspection.selectors import compare
from uplift.programmes import charts
from uplift.programmes.metrics import Scope, dashboard


def batch(w, n: int, sampled_on: datetime.date, passed: bool) -> SamplingInspection:
    row = SamplingInspection(
        enterprise=w.ent_in,
        cluster=w.cluster_in,
        product="休闲女装",
        product_category="服装",
        batch_id=f"XT{sampled_on:%Y%m}{n:04d}",
        sampled_on=sampled_on,
        inspecting_body="省纤维检验局",
        level="provincial",
        result="pass" if passed else "fail",
    )
    row.save()
    return row


@pytest.fixture
def sampled(w, d):
    """Xiantao's cluster: 7 of 10 batches passed in 2017 (Q2), 19 of 20 in 2018 (Q3 and Q4)."""
    for i in range(10):
        batch(w, i, datetime.date(2017, 5, 10), passed=i < 7)
    for i in range(20):
        batch(w, 100 + i, datetime.date(2018, 8 if i < 10 else 11, 10), passed=i != 0)
    return d


def _list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["table"].paginator.count


def test_the_pass_rate_trend_comes_from_the_rollups_with_a_gap_where_nothing_was_sampled(w, sampled, client):
    trend = charts.pass_rate_trend(Scope(w.programme_in))
    assert trend["categories"][0] == "2017Q2" and trend["categories"][-1] == "2018Q4"
    assert len(trend["categories"]) == 7  # 2017Q2 … 2018Q4, the empty quarters included
    assert trend["counts"][0] == "7/10" and trend["series"][0]["data"][0] == 70.0
    assert trend["series"][0]["data"][1] is None and trend["links"][1] is None  # 2017Q3: no batch
    assert trend["lower"][0] < 70.0 < trend["upper"][0]
    assert trend["periods"]["from"] == "2018Q1"
    client.force_login(w.officer)
    assert _list_count(client, trend["links"][0]) == 10  # the quarter's batches, exactly
    assert _list_count(client, trend["links"][-1]) == 10


def test_before_and_after_agree_with_the_comparison_counted_from_the_records(w, sampled):
    scope = Scope(w.programme_in)
    data = dashboard(scope)
    spec = charts.before_after(scope, [row["pilot"] for row in data["by_cluster"]])
    (row,) = spec["rows"]
    records = compare(
        SamplingInspection.objects.filter(cluster=w.cluster_in),
        (datetime.date(2017, 1, 1), datetime.date(2017, 12, 31)),
        (w.programme_in.start_date, w.programme_in.end_date),
    )
    assert (
        (row["before"].passed, row["before"].sampled)
        == (records.before.passed, records.before.sampled)
        == (7, 10)
    )
    assert (row["during"].passed, row["during"].sampled) == (records.after.passed, records.after.sampled)
    assert row["change"]["value"] == pytest.approx(100 * records.difference, abs=0.05)
    assert row["change"]["low"] == pytest.approx(100 * records.low, abs=0.05)
    assert row["p_value"] == pytest.approx(records.p_value)
    assert 0 < row["p_value"] < 0.1
    assert data["by_cluster"][0]["pass_rate"].sampled == 30


def test_the_dashboard_page_draws_every_chart_with_its_links(w, sampled, client):
    client.force_login(w.officer)
    response = client.get(reverse("programmes:dashboard", args=["hubei-2018"]))
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-targets", "chart-funnel", "chart-pass-rate", "chart-before-after"):
        assert f'data-chart="{chart}"' in html and f'id="{chart}"' in html, chart
    specs = response.context["charts"]["specs"]
    funnel = specs["chart-funnel"]
    assert funnel["series"][0]["data"] == [s["value"] for s in response.context["funnel"]]
    assert all(link.startswith("/registry/") for link in funnel["links"])


def test_the_ranking_follows_the_chosen_metric_and_ignores_an_unknown_one(w, sampled, client):
    client.force_login(w.officer)
    url = reverse("programmes:dashboard", args=["hubei-2018"])
    ranked = client.get(url, {"metric": "problems_found"}).context
    assert ranked["ranked"] == "problems_found"
    spec = ranked["charts"]["specs"]["chart-ranking"]
    assert spec["series"][0]["data"] == sorted(spec["series"][0]["data"], reverse=True)
    assert client.get(url, {"metric": "<script>"}).context["ranked"] == "enterprises_served"


def test_the_dashboard_api_gives_the_funnel_the_comparison_and_the_charts(w, sampled, client):
    client.force_login(w.officer)
    data = client.get("/api/programmes/programmes/hubei-2018/dashboard/").json()
    assert [s["name"] for s in data["funnel"]] == [
        "enterprises_served",
        "excellence_adopters",
        "benchmark_enterprises",
    ]
    (change,) = data["pass_rate_change"]
    assert change["before"]["sampled"] == 10 and change["during"]["passed"] == 19
    assert "chart-pass-rate" in data["charts"]
    assert data["by_cluster"][0]["pass_rate"]["sampled"] == 30
    json.dumps(data)


def test_the_growth_chart_links_to_the_indicator_rows(w, sampled):
    from decimal import Decimal

    from uplift.indicators.models import EconomicIndicator

    for year, value in ((2016, 100), (2018, 144)):
        EconomicIndicator.objects.create(
            kind="output_value",
            year=year,
            cluster=w.cluster_in,
            region_id="429004",
            value=Decimal(value),
            source="统计局",
        )
    spec = charts.growth([w.pilot_in])
    assert spec["series"][0]["data"] == [20.0]  # (144/100)^(1/2) − 1
    assert spec["series"][0]["notes"] == ["2016–2018"]
    query = parse_qs(urlparse(spec["series_links"][0][0]).query)
    assert query == {"cluster": [str(w.cluster_in.pk)], "kind": ["output_value"]}


def test_the_cluster_page_shows_its_pass_rate_by_year_and_links_each_to_its_batches(w, sampled, client):
    client.force_login(w.officer)
    response = client.get(reverse("registry:industrialcluster_detail", args=[w.cluster_in.pk]))
    assert response.status_code == 200
    years = {r["key"]: (r["rate"].passed, r["rate"].sampled) for r in response.context["pass_rates"]}
    assert years == {2017: (7, 10), 2018: (19, 20)}
    assert _list_count(client, response.context["pass_rates"][0]["url"]) == 10
    assert response.context["growth"] == []  # no indicator rows of the cluster itself
    assert "before_from" not in response.context["rates_url"]
