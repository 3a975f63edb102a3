"""Figures are computed from records, drill down to the same records, and reach the dashboard."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from uplift.excellence.services import adoption_rule_create
from uplift.excellence.testing import accepted_self_assessment, adopt, benchmark
from uplift.programmes.metrics import METRICS, Scope, figures, listed
from uplift.programmes.services import target_create
from uplift.registry.models import Enterprise

pytestmark = pytest.mark.django_db

#: The one-stop service's figures (tests/servicedesk/test_dashboard.py checks them against its card).
SERVICE_DESK = {
    "service_requests",
    "median_first_response_hours",
    "answered_on_time_share",
    "mean_satisfaction",
}


def run_figures(*args):
    out = io.StringIO()
    call_command("figures", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_adding_an_adopter_through_the_services_changes_the_figure_by_one(w, d):
    before = run_figures("--programme", "hubei-2018")
    adopt(w.ent_in, d.approved, datetime.date(2018, 9, 1))
    after = run_figures("--programme", "hubei-2018")
    assert after["excellence_adopters"]["value"] == before["excellence_adopters"]["value"] + 1
    # An adoption outside the programme's region does not count.
    adopt(w.ent_out, d.activity_out, datetime.date(2018, 9, 1))
    assert run_figures("--programme", "hubei-2018")["excellence_adopters"] == after["excellence_adopters"]


def test_figures_json_shape_and_targets(w, d):
    target_create(
        actor=None,
        programme=w.programme_in,
        metric="enterprises_served",
        value=10000,
        region_id="420000",
        deadline=datetime.date(2018, 12, 31),
    )
    data = run_figures("--programme", "hubei-2018")
    assert set(data) == {*METRICS, "funnel", *SERVICE_DESK}
    assert data["enterprises_served"] == {"value": 1, "target": 10000, "unit": "enterprises"}
    assert data["funnel"][0] == {
        "stage": "enterprises_served",
        "value": 1,
        "target": 10000,
        "also_in_previous_stage": None,
    }
    stages = [s["stage"] for s in data["funnel"]]
    assert stages == ["enterprises_served", "excellence_adopters", "benchmark_enterprises"]
    assert data["pilot_clusters"] == {"value": 1, "target": None, "unit": "clusters"}


def test_figures_by_region_and_cluster(w, d):
    assert run_figures("--programme", "hubei-2018", "--region", "420100")["enterprises_served"]["value"] == 0
    assert run_figures("--programme", "hubei-2018", "--region", "429004")["enterprises_served"]["value"] == 1
    assert (
        run_figures("--programme", "hubei-2018", "--cluster", "仙桃休闲女装")["enterprises_served"]["value"]
        == 1
    )


def test_figures_refuse_unknown_scope(w):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown region"):
        run_figures("--region", "999999")
    with pytest.raises(CommandError, match="Unknown cluster"):
        run_figures("--cluster", "nowhere")


def test_every_figure_drills_down_to_the_records_it_counts(w, d, client):
    adopt(w.ent_in, d.approved, datetime.date(2018, 9, 1))
    benchmark(w.programme_in, w.ent_in, datetime.date(2018, 12, 1))
    client.force_login(w.officer)
    for scope in (
        Scope(w.programme_in),
        Scope(w.programme_in, region="429004"),
        Scope(w.programme_in, cluster_id=w.cluster_in.pk),
    ):
        for metric in METRICS.values():
            response = client.get(metric.url(scope))
            assert response.status_code == 200, metric.url(scope)
            listed = response.context["filter"].qs
            if metric.sum_of:
                shown = listed.aggregate(v=Sum(metric.sum_of))["v"] or 0
            else:
                shown = listed.order_by().values(metric.count_of).distinct().count()
            assert shown == metric.value(scope), (metric.name, scope)


def test_dashboard_shows_figures_with_links(w, d, client):
    client.force_login(w.officer)
    response = client.get(reverse("programmes:dashboard", args=["hubei-2018"]))
    assert response.status_code == 200
    kpis = {k["name"]: k for k in response.context["kpis"]}
    assert kpis["enterprises_served"]["value"] == 1
    assert kpis["pilot_clusters"]["value"] == 1
    assert kpis["enterprises_served"]["url"] in response.content.decode().replace("&amp;", "&")
    assert [r["cluster"].name for r in response.context["by_cluster"]] == ["仙桃休闲女装"]


def test_dashboard_is_scoped(w, client):
    client.force_login(w.hunan_officer)
    assert client.get(reverse("programmes:dashboard", args=["hubei-2018"])).status_code == 404
    client.force_login(w.officer)
    assert (
        client.get(reverse("programmes:dashboard", args=["hubei-2018"]), {"region": "430100"}).status_code
        == 404
    )
    client.force_login(w.enterprise_user)
    assert client.get(reverse("programmes:dashboard", args=["hubei-2018"])).status_code == 403


def test_dashboard_api(w, client):
    client.force_login(w.officer)
    response = client.get("/api/programmes/programmes/hubei-2018/dashboard/")
    assert response.status_code == 200
    data = response.json()
    assert {f["name"] for f in data["figures"]} == set(listed())
    assert data["by_cluster"][0]["name"] == "仙桃休闲女装"


def test_figures_scope_object_counts_match_direct_queries(w, d):
    values = figures(Scope(w.programme_in))
    assert (
        values["enterprises_served"]["value"]
        == Enterprise.objects.filter(
            participations__activity__programme=w.programme_in, participations__activity__status="approved"
        )
        .distinct()
        .count()
    )


def test_the_funnel_counts_each_stage_and_how_many_reached_the_one_before(w, d, client):
    from uplift.programmes.metrics import funnel
    from uplift.registry import services as reg

    # Under a rule asking only for an accepted self-assessment: ent_in took part in an approved
    # activity (served); it adopts and becomes a benchmark. Another Hubei firm adopts without
    # being served.
    adoption_rule_create(actor=None, programme=w.programme_in, training_method=None)
    on = datetime.date(2018, 9, 1)
    accepted_self_assessment(w.ent_in, on)
    benchmark(w.programme_in, w.ent_in, on)
    other = reg.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 8),
        name="仙桃未参训服饰",
        region_id="429004",
        industry_id="18",
    )
    accepted_self_assessment(other, on)
    stages = {s["name"]: s for s in funnel(Scope(w.programme_in))}
    assert (
        stages["enterprises_served"]["value"] == 1 and stages["enterprises_served"]["within_previous"] is None
    )
    adopters = stages["excellence_adopters"]
    assert adopters["value"] == 2
    assert (adopters["within_previous"]["value"], adopters["within_previous"]["share"]) == (1, 50.0)
    assert stages["benchmark_enterprises"]["within_previous"]["value"] == 1
    # The overlap drills down to exactly those enterprises.
    client.force_login(w.officer)
    listed = client.get(adopters["within_previous"]["url"]).context["filter"].qs
    assert list(listed) == [w.ent_in]
    page = client.get(reverse("programmes:dashboard", args=["hubei-2018"]))
    assert adopters["within_previous"]["url"] in page.content.decode().replace("&amp;", "&")
