"""The Hubei demo reproduces the published figures from its records, and is idempotent."""

import io
import json

import pytest
from django.core.management import call_command

from uplift.accounts.models import User
from uplift.core.demo import build_demo
from uplift.delivery.models import (
    Acceptance,
    Activity,
    Benefit,
    GradeRecord,
    Problem,
    ServiceProject,
    Standard,
)
from uplift.excellence.models import Benchmark, ExpertAssessment
from uplift.imports.models import ImportRun
from uplift.programmes import rollups
from uplift.programmes.metrics import Scope, dashboard, listed
from uplift.programmes.models import Programme
from uplift.registry.models import Enterprise
from uplift.registry.validators import validate_credit_code
from uplift.servicedesk.models import ServiceRequest

pytestmark = pytest.mark.django_db


def _figures(*args: str) -> dict:
    out = io.StringIO()
    call_command("figures", "--json", "--programme", "hubei-2018", *args, stdout=out)
    # Counts by their value; a comparison (pass_rate_change) whole.
    return {
        name: figure["value"] if "unit" in figure else figure
        for name, figure in json.loads(out.getvalue()).items()
    }


def _feedback_pdf_reads_back(client) -> None:
    """A demo enterprise's feedback report as a PDF: its Chinese text extracted back out."""
    try:
        import weasyprint  # noqa: F401
    except OSError:  # no Pango: scripts/system-packages.sh installs it (tests/excellence says so)
        return
    from pypdf import PdfReader

    assessment = ExpertAssessment.objects.filter(status="completed").select_related("enterprise").first()
    client.force_login(User.objects.get(username="hubei.officer"))
    response = client.get(f"/excellence/expert-assessments/{assessment.pk}/feedback/", {"format": "pdf"})
    client.logout()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert assessment.enterprise.name in text and "高层领导的作用" in text and "改进" in text


def test_demo_reproduces_the_published_figures_and_is_idempotent(client):
    ctx = build_demo()
    out = io.StringIO()
    call_command("figures", "--json", "--programme", "hubei-2018", stdout=out)
    data = json.loads(out.getvalue())
    assert data["enterprises_served"] == {"value": 10324, "target": 10000, "unit": "enterprises"}
    assert data["excellence_adopters"] == {"value": 1045, "target": 1000, "unit": "enterprises"}
    assert data["benchmark_enterprises"] == {"value": 113, "target": 100, "unit": "enterprises"}
    assert data["pilot_clusters"] == {"value": 12, "target": 12, "unit": "clusters"}
    assert [(s["value"], s["also_in_previous_stage"]) for s in data["funnel"]] == [
        (10324, None),
        (1045, 1045),  # the programme's rule asks for its excellence training: every adopter was served
        (113, 113),
    ]
    # The dashboard reads rollups: built with the demo, equal to the records.
    programme = Programme.objects.get(slug="hubei-2018")
    assert rollups.differences(programme) == []
    kpis = dashboard(Scope(programme))["kpis"]
    assert {k["name"]: k["value"] for k in kpis} == {k: data[k]["value"] for k in listed()}
    # Delivery: counted from approved activities only; drafts, submitted and returned ones exist.
    assert data["activities"]["value"] == 1236
    assert data["enterprises_participating"]["value"] == 10324
    assert data["manager_participations"]["value"] == 48000
    assert data["enterprises_trained_advanced"]["value"] == 3022
    assert set(Activity.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "approved",
    }
    # A draft in each pilot project (never submitted), the returned ones, and in the
    # supplementary project a draft, one waiting and one returned; and the draft a one-stop
    # service request turned into (uplift.servicedesk.demo).
    assert Activity.objects.exclude(status="approved").count() == 12 + 2 * 4 + 3 + 1
    # Results: problems counted once found, solved once verified; approved local standards;
    # verified benefits only (claims waiting or rejected exist and count nowhere).
    # 119 found in the projects' activities, and one a service request revealed (servicedesk demo).
    assert data["problems_found"]["value"] == 120
    assert data["problems_solved"]["value"] == 106
    assert data["local_standards"]["value"] == 7
    assert data["standards_drafted"]["value"] == 10  # the 7 local and 3 group standards
    assert data["standard_evaluation_reports"]["value"] == 88
    assert data["benefits_verified_yuan"]["value"] > 100_000_000
    assert set(Problem.objects.values_list("status", flat=True)) == {"open", "corrected", "closed"}
    assert set(Benefit.objects.values_list("status", flat=True)) == {"submitted", "verified", "rejected"}
    hanchuan = _figures("--cluster", "汉川小童车")
    assert hanchuan["problems_found"] == hanchuan["problems_solved"] == 56
    # Sampling pass rate 70.3% → 95%: 2017 (the year before the programme) against 2018.
    change = hanchuan["pass_rate_change"]
    assert (change["before"]["passed"], change["before"]["sampled"]) == (64, 91)
    assert (change["after"]["passed"], change["after"]["sampled"]) == (95, 100)
    assert round(change["before"]["rate"], 3) == 0.703 and change["after"]["rate"] == 0.95
    low, high = change["difference"]["ci95"]
    assert 0 < low < change["difference"]["value"] < high
    assert change["p_value"] < 0.001 and change["paired"]["enterprises"] == 40
    assert "pass_rate_change" not in data  # a cluster's figure
    # Growth: Suizhou's sales 24.5% a year 2014–2018; Qichun's output ¥1.6bn → ¥3.05bn in two years.
    suizhou = _figures("--cluster", "随州专用汽车")["sales_revenue_cagr"]
    assert (round(suizhou["value"], 3), suizhou["from_year"], suizhou["to_year"]) == (0.245, 2014, 2018)
    qichun_growth = _figures("--cluster", "蕲春蕲艾")["output_value_cagr"]
    assert (qichun_growth["from_year"], qichun_growth["to_year"]) == (2016, 2018)
    assert round(qichun_growth["value"], 3) == round((3.05 / 1.6) ** 0.5 - 1, 3)
    qichun = _figures("--cluster", "蕲春蕲艾")
    assert (qichun["local_standards"], qichun["standard_evaluation_reports"]) == (3, 88)
    assert _figures("--cluster", "潜江小龙虾")["local_standards"] == 4
    assert _figures("--cluster", "仙桃休闲女装")["benefits_verified_yuan"] == 130_000_000
    # Acceptance: every pilot graded and published, with a spread of grades; Qichun's
    # supplementary project is in progress for the user guide.
    published = Acceptance.objects.filter(status="published")
    grades = sorted(published.values_list("grade", flat=True))
    assert grades == ["excellent"] * 3 + ["fair"] * 2 + ["good"] * 7
    assert set(ServiceProject.objects.values_list("status", flat=True)) == {"accepted", "in_progress"}
    assert ServiceProject.objects.get(status="in_progress").pilot.cluster.name == "蕲春蕲艾"
    assert GradeRecord.objects.filter(acceptance__in=published).count() == 12
    bulletin = client.get("/public/bulletin/").content.decode()
    assert bulletin.count("鄂市监质〔2019〕3号") == 12

    # The excellence model: adopters by the programme's rule, benchmarks by the bureau's approvals
    # against its rules (one with an override), listed publicly; a feedback report as a PDF.
    assert Benchmark.objects.filter(status="approved").count() == 113
    assert Benchmark.objects.exclude(override_reason="").count() == 1
    assert ExpertAssessment.objects.filter(status="completed").count() == 130
    assert client.get("/public/benchmarks/").context["page"].paginator.count == 113
    _feedback_pdf_reads_back(client)

    # Huanggang's list of enterprises, imported: a dry run rejecting two rows, the corrected file
    # (40 created), the same file again (40 unchanged).
    runs = list(ImportRun.objects.order_by("pk").values_list("status", "created", "unchanged", "rejected"))
    assert runs == [("checked", 38, 0, 2), ("imported", 40, 0, 0), ("imported", 0, 40, 0)]

    # The one-stop service: 40 requests of 2018 in every state and three of December that no rule
    # routes, waiting in the province officer's "my work"; `uplift figures` gives the card's numbers.
    unrouted = ServiceRequest.objects.filter(status="submitted", station=None, institution=None, expert=None)
    assert sorted(unrouted.values_list("region_id", flat=True)) == ["420502", "421303", "422801"]
    service = {k: data[k]["value"] for k in ("service_requests", "median_first_response_hours")}
    service |= {k: data[k]["value"] for k in ("answered_on_time_share", "mean_satisfaction")}
    assert service == {
        "service_requests": 43,
        "median_first_response_hours": 13.0,
        "answered_on_time_share": 76.0,
        "mean_satisfaction": 3.7,
    }
    client.force_login(User.objects.get(username="hubei.officer"))
    card = client.get("/programmes/hubei-2018/dashboard/").context["servicedesk"]
    assert [card[k]["value"] for k in ("requests", "median_hours_to_response", "answered_on_time")] == [
        43,
        13.0,
        76.0,
    ]
    assert (card["satisfaction"]["value"], card["overdue"]["value"]) == (3.7, 16)
    work = {item["key"]: item["count"] for item in client.get("/api/my-work/").json()}
    assert work["servicedesk.requests_to_route"] == 3
    client.logout()

    for code in Enterprise.objects.values_list("credit_code", flat=True)[:500]:
        validate_credit_code(code)
    roles = {login["role"] for login in ctx.logins}
    assert len(roles) == 7

    models = (Enterprise, User, Activity, Problem, Standard, Benefit, Acceptance)
    counts = [m.objects.count() for m in models]
    build_demo()
    assert [m.objects.count() for m in models] == counts

    # Every demo login works and lands somewhere useful.
    for login in ctx.logins:
        assert client.login(username=login["username"], password=login["password"]), login
        response = client.get("/", follow=True)
        assert response.status_code == 200, login
        client.logout()
