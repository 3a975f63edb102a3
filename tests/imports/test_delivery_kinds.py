"""Delivery's import kinds: activities (by external id in their project), their participants, and
standards (by number) — created, matched again, refused cell by cell, within the importer's scope
and only while an activity is a draft (or returned)."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from uplift.delivery import selectors
from uplift.delivery import services as delivery
from uplift.delivery.choices import ActivityStatus
from uplift.delivery.imports import EXAMPLE_PROJECT
from uplift.delivery.models import Activity, Participation, Standard
from uplift.delivery.testing import DeliveryScenario
from uplift.imports import services
from uplift.imports.choices import RunStatus
from uplift.imports.kinds import KINDS
from uplift.imports.workbooks import write_template
from uplift.programmes import rollups
from uplift.registry import services as registry

TITLE = "仙桃休闲女装品质提升服务"  # the scenario's project in progress (Hubei)
ACTIVITY = ["external_id", "project", "kind", "held_on", "place", "topic", "delivered_by"]
PARTICIPANT = ["activity", "project", "enterprise", "managers", "note"]
STANDARD = ["number", "level", "title", "status", "issued_by", "cluster", "approved_on", "published_on"]


def sheet(kind: str, columns: list[str], rows: list[list[object]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(KINDS[kind].headers(*columns))
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def run(actor, kind: str, columns: list[str], rows: list[list[object]], **kwargs):
    return services.import_file(
        actor=actor, kind=kind, file=sheet(kind, columns, rows), name=f"{kind}.csv", **kwargs
    )


def problems(result) -> dict[tuple[int, str], str]:
    return {(p.row, p.field): p.message for p in result.problems.all()}


def activity(n: int, **changes) -> list[object]:
    row = {
        "external_id": f"XT-2018-{n:03d}",
        "project": TITLE,
        "kind": "诊断",
        "held_on": "2018年7月15日",
        "place": "仙桃市纺织服装产业园",
        "topic": f"休闲女装企业质量诊断（第{n}场）",
        "delivered_by": "仙桃市纺织服装品质技术服务中心",
    }
    row.update(changes)
    return list(row.values())


def numbered(obj, external_id: str):
    """Give a scenario activity an external id (the scenario enters them on their pages)."""
    Activity.objects.filter(pk=obj.pk).update(external_id=external_id)
    obj.refresh_from_db()
    return obj


def as_row(a: Activity, **changes) -> list[object]:
    """An activity as a row of the activities file, exactly as stored."""
    row = {
        "external_id": a.external_id,
        "project": a.project.title,
        "kind": a.kind,
        "held_on": a.held_on.isoformat(),
        "place": a.place,
        "topic": a.topic,
        "delivered_by": a.delivered_by,
    }
    row.update(changes)
    return list(row.values())


# --- Activities ------------------------------------------------------------------------------------


def test_activities_are_recorded_as_drafts_in_their_project_then_matched_by_external_id(w, d):
    counted = selectors.counted_activities(w.programme_in).count()
    rows = [activity(1), activity(2, kind="Training", held_on="2018/8/2")]
    result = run(w.institution_user, "activities", ACTIVITY, rows)
    assert (result.status, result.created, result.rejected) == (RunStatus.IMPORTED, 2, 0), problems(result)
    made = Activity.objects.get(external_id="XT-2018-002")
    assert (made.status, made.project, made.programme, made.cluster, made.institution) == (
        ActivityStatus.DRAFT,
        d.project,
        w.programme_in,
        w.cluster_in,
        w.inst_in,
    )
    assert (made.region_id, made.kind, made.held_on) == ("429004", "training", datetime.date(2018, 8, 2))
    # Drafts count nowhere: the figures and their rollups do not move.
    assert selectors.counted_activities(w.programme_in).count() == counted
    assert rollups.differences(w.programme_in) == []

    again = run(w.institution_user, "activities", ACTIVITY, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[0] = activity(1, topic="休闲女装企业质量诊断（改期）")
    changed = run(w.institution_user, "activities", ACTIVITY, rows)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    first = Activity.objects.get(external_id="XT-2018-001")
    assert (first.topic, first.version) == ("休闲女装企业质量诊断(改期)", 2)  # width folded as read

    # The place may be given (a region code), otherwise the cluster's region.
    placed = run(w.officer, "activities", [*ACTIVITY, "region"], [activity(3) + ["429004"]])
    assert placed.created == 1 and Activity.objects.get(external_id="XT-2018-003").region_id == "429004"


def test_an_activity_no_longer_a_draft_is_not_changed_by_an_import(w, d):
    approved = numbered(d.approved, "XT-A-001")
    submitted = numbered(d.submitted, "XT-S-001")
    # As stored: nothing to change, nothing refused.
    same = run(w.officer, "activities", ACTIVITY, [as_row(approved), as_row(submitted)])
    assert (same.status, same.unchanged, same.rejected) == (RunStatus.IMPORTED, 2, 0), problems(same)

    rows = [
        as_row(approved, topic="改过的主题", held_on="2018-07-11"),
        as_row(submitted, place="别处"),
        activity(1),
    ]
    result = run(w.officer, "activities", ACTIVITY, rows)
    assert result.status == RunStatus.REJECTED and result.rejected == 2
    found = problems(result)
    assert set(found) == {(2, "external_id"), (3, "external_id")}
    assert "XT-A-001 is Approved" in found[(2, "external_id")]
    assert "活动日期, 活动主题" in found[(2, "external_id")]
    assert "Submitted" in found[(3, "external_id")] and "活动地点" in found[(3, "external_id")]
    approved.refresh_from_db()
    assert (approved.topic, approved.version) == (d.approved.topic, d.approved.version)
    assert not Activity.objects.filter(external_id="XT-2018-001").exists()  # nothing written

    # Returned for correction, it may be corrected by an import, like on its page.
    delivery.activity_return(actor=d.officer2, activity=submitted, reason="签到表不全")
    corrected = run(w.institution_user, "activities", ACTIVITY, [as_row(submitted, place="别处")])
    assert (corrected.status, corrected.updated) == (RunStatus.IMPORTED, 1), problems(corrected)
    submitted.refresh_from_db()
    assert (submitted.place, submitted.status) == ("别处", ActivityStatus.RETURNED)


def test_activities_go_only_into_projects_the_importer_may_record_in(w, d):
    before = Activity.objects.count()
    other = run(w.institution_user, "activities", ACTIVITY, [activity(1, project="长沙工程机械品质提升服务")])
    assert problems(other) == {(2, "project"): "You do not deliver this project."}
    hunan = run(w.hunan_officer, "activities", ACTIVITY, [activity(1)])
    assert "outside your bureau's area" in problems(hunan)[(2, "project")]
    planned = delivery.project_create(actor=None, pilot=w.pilot_in, institution=w.inst_in, title="仙桃二期")
    waiting = run(w.institution_user, "activities", ACTIVITY, [activity(1, project=planned.title)])
    assert "in progress" in problems(waiting)[(2, "project")]
    assert Activity.objects.count() == before


def test_each_bad_cell_of_an_activity_is_named_and_nothing_is_written(w, d):
    second = DeliveryScenario.started(w.pilot_in, w.inst_in, "仙桃休闲女装品质提升服务（二期）")
    delivery.activity_create(
        actor=None,
        project=second,
        kind="survey",
        held_on=datetime.date(2018, 7, 1),
        place="园区",
        topic="调研",
        external_id="XT-2018-009",
    )
    before = Activity.objects.count()
    rows = [
        activity(1) + ["", ""],  # valid
        activity(2, project="没有这个项目") + ["", ""],
        activity(3, held_on="2018-13-45") + ["", ""],
        activity(4, kind="讲座会") + ["", ""],
        activity(5, held_on="2018-05-01") + ["", ""],  # before the project started
        activity(6) + ["长沙工程机械", ""],  # not the project's cluster
        activity(7) + ["", "999999"],
        activity(8) + ["", "430102"],  # Hunan: outside the officer's area
        activity(9) + ["", ""],  # the number another project of the programme uses
        activity(1, project="仙桃休闲女装 品质提升服务") + ["", ""],  # row 2's, its project written otherwise
        activity(1) + ["", ""],  # row 2 again, word for word
        activity(10, held_on="") + ["", ""],
    ]
    result = run(w.officer, "activities", [*ACTIVITY, "cluster", "region"], rows)
    assert result.status == RunStatus.REJECTED and Activity.objects.count() == before
    found = problems(result)
    assert "没有这个项目" in found[(3, "project")]
    assert "2018-13-45" in found[(4, "held_on")]
    assert "讲座会" in found[(5, "kind")]
    assert "2018-06-01" in found[(6, "held_on")]
    assert "仙桃休闲女装" in found[(7, "cluster")]
    assert "999999" in found[(8, "region")]
    assert "outside your bureau" in found[(9, "region")]
    assert "unique within a programme" in found[(10, "external_id")]
    assert "Repeated" in found[(11, "external_id")]
    assert "row 2" in found[(12, "external_id")]
    assert (13, "held_on") in found
    assert len(found) == 11 and result.rejected == 11


def test_an_import_of_activities_is_reverted_whole(w, d):
    result = run(w.institution_user, "activities", ACTIVITY, [activity(1), activity(2)])
    assert result.created == 2
    services.import_revert(actor=w.institution_user, run=result)
    assert not Activity.objects.filter(external_id__startswith="XT-2018-").exists()
    assert rollups.differences(w.programme_in) == []


def test_a_revert_never_takes_participants_added_since(w, d, member):
    result = run(w.institution_user, "activities", ACTIVITY, [activity(1), activity(2)])
    first = Activity.objects.get(external_id="XT-2018-001")
    delivery.participation_create(actor=w.institution_user, activity=first, enterprise=member, managers=2)
    with pytest.raises(ValidationError, match="have participants now") as exc:
        services.import_revert(actor=w.institution_user, run=result)
    assert "XT-2018-001" in str(exc.value) and "XT-2018-002" not in str(exc.value)
    assert Activity.objects.filter(external_id__startswith="XT-2018-").count() == 2


def test_participants_of_an_activity_submitted_since_are_not_reverted(w, d, member):
    draft = numbered(d.draft, "XT-D-001")
    result = run(
        w.institution_user, "participations", PARTICIPANT, [["XT-D-001", TITLE, member.credit_code, "2", ""]]
    )
    assert result.created == 1
    delivery.activity_submit(actor=w.institution_user, activity=draft)
    with pytest.raises(ValidationError, match="submitted or approved since"):
        services.import_revert(actor=w.institution_user, run=result)
    assert Participation.objects.filter(activity=draft, enterprise=member).exists()
    assert rollups.differences(w.programme_in) == []


# --- Participants ----------------------------------------------------------------------------------


@pytest.fixture
def member(w):
    """A second enterprise of the Xiantao cluster, not yet in any activity."""
    ent = registry.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 21),
        name="仙桃测试服饰21",
        region_id="429004",
        industry_id="18",
    )
    registry.cluster_membership_create(
        actor=None, cluster=w.cluster_in, enterprise=ent, joined_on=datetime.date(2018, 3, 1)
    )
    return ent


def test_participants_are_added_to_a_draft_and_corrected_by_a_new_file(w, d, member):
    draft = numbered(d.draft, "XT-D-001")
    rows = [
        ["XT-D-001", TITLE, w.ent_in.credit_code, "3", "质量负责人参加"],  # already in it, with 1
        ["XT-D-001", TITLE, member.credit_code, "", ""],  # 1 when not said
    ]
    result = run(w.institution_user, "participations", PARTICIPANT, rows)
    assert (result.status, result.created, result.updated) == (RunStatus.IMPORTED, 1, 1), problems(result)
    added = Participation.objects.get(activity=draft, enterprise=member)
    assert (added.managers, added.region_id) == (1, "429004")
    kept = Participation.objects.get(activity=draft, enterprise=w.ent_in)
    assert (kept.managers, kept.note, kept.version) == (3, "质量负责人参加", 2)
    assert rollups.differences(w.programme_in) == []
    again = run(w.institution_user, "participations", PARTICIPANT, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_each_bad_row_of_participants_is_named_and_nothing_is_written(w, d, member):
    numbered(d.draft, "XT-D-001")
    numbered(d.approved, "XT-A-001")
    before = list(Participation.objects.order_by("pk").values())
    bad_check = member.credit_code[:-1] + ("0" if member.credit_code[-1] != "0" else "1")
    rows = [
        ["XT-D-001", TITLE, member.credit_code, "2", ""],  # valid
        ["XT-D-404", TITLE, member.credit_code, "2", ""],  # no such activity in the project
        ["XT-D-001", TITLE, bad_check, "2", ""],  # malformed credit code
        ["XT-D-001", TITLE, "91420984MA49A1B2C8", "2", ""],  # valid, not registered
        ["XT-D-001", TITLE, w.ent_out.credit_code, "2", ""],  # Hunan's: outside the officer's scope
        ["XT-A-001", TITLE, member.credit_code, "2", ""],  # an approved activity
        ["XT-D-001", TITLE, w.ent_in.credit_code, "-1", ""],
        ["XT-D-001", "没有这个项目", w.ent_in.credit_code, "1", ""],
        ["XT-D-001", TITLE, member.credit_code, "3", ""],  # row 2 again
    ]
    result = run(w.officer, "participations", PARTICIPANT, rows)
    assert result.status == RunStatus.REJECTED
    assert list(Participation.objects.order_by("pk").values()) == before
    found = problems(result)
    assert "XT-D-404" in found[(3, "activity")]
    assert "check character" in found[(4, "enterprise")]
    assert "is registered" in found[(5, "enterprise")]
    assert "outside your scope" in found[(6, "enterprise")]
    assert "Approved" in found[(7, "activity")] and "draft" in found[(7, "activity")]
    assert (8, "managers") in found
    assert "没有这个项目" in found[(9, "project")]
    assert "row 2" in found[(10, "activity")]
    assert result.rejected == 8


def test_an_institution_adds_participants_only_to_its_own_projects_activities(w, d):
    numbered(d.activity_out, "CS-A-001")
    Activity.objects.filter(pk=d.activity_out.pk).update(status=ActivityStatus.DRAFT)
    rows = [["CS-A-001", "长沙工程机械品质提升服务", w.ent_out.credit_code, "2", ""]]
    result = run(w.institution_user, "participations", PARTICIPANT, rows)
    assert problems(result)[(2, "project")] == "You do not deliver this project."
    assert Participation.objects.get(activity=d.activity_out).managers == 4


# --- Standards -------------------------------------------------------------------------------------


def test_standards_are_registered_by_number_then_updated(w, d):
    rows = [
        [
            "db42/t 2001—2018",
            "",
            "休闲女装 针织衫",
            "Published",
            "湖北省市场监督管理局",
            "仙桃休闲女装",
            "2018/9/1",
            "2018-10-01",
        ],
        ["T/XTFZ 001-2018", "团体标准（T/）", "休闲女装 质量分级", "起草中", "仙桃市服装协会", "", "", ""],
    ]
    result = run(w.officer, "standards", STANDARD, rows)
    assert (result.status, result.created) == (RunStatus.IMPORTED, 2), problems(result)
    local = Standard.objects.get(number="DB42/T 2001-2018")  # as the registry writes it
    assert (local.level, local.status, local.cluster, local.published_on) == (
        "local",
        "published",
        w.cluster_in,
        datetime.date(2018, 10, 1),
    )
    assert Standard.objects.get(number="T/XTFZ 001-2018").level == "group"
    again = run(w.officer, "standards", STANDARD, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # A standard already registered is updated, not reported as its own twin.
    known = d.standard
    row = [known.number, "", "休闲女装质量要求（修订）", "已发布", "", "", "2018-06-15", "2018-07-01"]
    updated = run(w.officer, "standards", STANDARD, [row])
    assert (updated.status, updated.updated) == (RunStatus.IMPORTED, 1), problems(updated)
    known.refresh_from_db()
    assert (known.title, known.status, known.cluster, known.version) == (
        "休闲女装质量要求(修订)",
        "published",
        None,
        2,
    )


def test_each_bad_standard_is_named_and_nothing_is_written(w, d):
    before = Standard.objects.count()
    rows = [
        ["DB42/T 2001-2018", "", "有效", "已发布", "", "", "2018-09-01", "2018-10-01"],  # valid
        ["DB42/T-12", "", "编号不对", "起草中", "", "", "", ""],
        ["GB/T 3001-2018", "地方标准（DB）", "级别与编号不符", "起草中", "", "", "", ""],
        ["db42/t2001-2018", "", "编号重复", "起草中", "", "", "", ""],  # row 2's number, written otherwise
        [d.standard.number, "", d.standard.title, "起草中", "", "", "2018-06-15", ""],  # back to drafting
        ["DB42/T 2002-2018", "省级", "级别不对", "起草中", "", "", "", ""],
        ["DB42/T 2003-2018", "", "没有日期", "已审核通过", "", "", "", ""],
        ["DB42/T 2004-2018", "", "日期不对", "已发布", "", "", "2018-02-30", "2018-03-01"],
        ["DB42/T 2005-2018", "", "集群不存在", "起草中", "", "没有这个集群", "", ""],
    ]
    result = run(w.officer, "standards", STANDARD, rows)
    assert result.status == RunStatus.REJECTED and Standard.objects.count() == before
    found = problems(result)
    assert "DB42/T-12" in found[(3, "number")]
    assert "GB/T 3001-2018" in found[(4, "number")]
    assert "row 2" in found[(5, "number")]
    assert "cannot go back" in found[(6, "status")]
    assert "省级" in found[(7, "level")]
    assert (8, "approved_on") in found
    assert "2018-02-30" in found[(9, "approved_on")]
    assert "没有这个集群" in found[(10, "cluster")]
    assert result.rejected == 8


def test_an_institution_adds_standards_but_does_not_change_them(w, d):
    rows = [
        ["T/XTFZ 002-2018", "", "休闲女装 吊牌标注", "起草中", "", "仙桃休闲女装", "", ""],
        [d.standard.number, "", "改名", "已审核通过", "", "", "2018-06-15", ""],
        ["T/XTFZ 003-2018", "", "别人的集群", "起草中", "", "长沙工程机械", "", ""],
    ]
    result = run(w.institution_user, "standards", STANDARD, rows, partial=True)
    assert (result.created, result.rejected) == (1, 2), problems(result)
    found = problems(result)
    assert "the bureau changes them" in found[(3, "number")]
    assert "outside your scope" in found[(4, "cluster")]
    d.standard.refresh_from_db()
    assert d.standard.title == "休闲女装质量要求"


# --- Templates and queries -------------------------------------------------------------------------


def test_each_delivery_template_filled_in_as_shown_imports_cleanly(w, tmp_path: Path):
    """The examples are the demo's: Qichun's supplementary project in progress, one of its
    cluster's enterprises. Activities first, then their participants, then a standard."""
    from uplift.programmes.services import pilot_create

    qichun = registry.cluster_create(actor=None, name="蕲春蕲艾", region_id="421126", lead_industry_id="27")
    firm = registry.enterprise_create(
        actor=None,
        credit_code="914211261000542094",
        name="蕲春艾草制品",
        region_id="421126",
        industry_id="27",
    )
    registry.cluster_membership_create(
        actor=None, cluster=qichun, enterprise=firm, joined_on=datetime.date(2018, 3, 1)
    )
    pilot = pilot_create(actor=None, programme=w.programme_in, cluster=qichun, institution=w.inst_in)
    project = delivery.project_create(
        actor=None,
        pilot=pilot,
        institution=w.inst_in,
        title=EXAMPLE_PROJECT,
        start_date=datetime.date(2018, 12, 1),
        end_date=datetime.date(2019, 6, 30),
        goals="提升",
        schedule="全年",
    )
    delivery.project_start(actor=None, project=project)
    for name in ("activities", "participations", "standards"):
        path = tmp_path / f"{name}.xlsx"
        write_template(KINDS[name], str(path))
        with path.open("rb") as f:
            result = services.import_file(actor=w.institution_user, kind=name, file=f, name=path.name)
        assert (result.status, result.created, result.rejected) == (RunStatus.IMPORTED, 1, 0), (
            name,
            problems(result),
        )
    made = Participation.objects.get(enterprise=firm)
    assert (made.activity.project, made.managers, made.activity.status) == (project, 2, ActivityStatus.DRAFT)


def _queries(w, kind: str, columns: list[str], rows: list[list[object]]) -> int:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            result = run(w.officer, kind, columns, rows)
        assert (result.status, result.rejected) == (RunStatus.IMPORTED, 0), problems(result)
        transaction.set_rollback(True)
    return len(ctx.captured_queries)


def test_participants_cost_the_same_queries_for_5_rows_as_for_50(w, d):
    numbered(d.draft, "XT-D-001")
    firms = [
        registry.enterprise_create(
            actor=None,
            credit_code=w.code("429004", 100 + i),
            name=f"仙桃服饰{i}",
            region_id="429004",
            industry_id="18",
        )
        for i in range(50)
    ]

    def rows(n: int) -> list[list[object]]:
        return [["XT-D-001", TITLE, firm.credit_code, str(1 + i % 3), ""] for i, firm in enumerate(firms[:n])]

    _queries(w, "participations", PARTICIPANT, rows(5))  # warm per-process caches
    small = _queries(w, "participations", PARTICIPANT, rows(5))
    large = _queries(w, "participations", PARTICIPANT, rows(50))
    assert large == small, f"5 rows: {small} queries; 50 rows: {large}"


def test_activities_cost_the_kind_the_same_queries_for_5_rows_as_for_40(w, d):
    """The kind's own queries (projects and clusters once a run, the batch's numbered activities
    once a batch). The rollups' upkeep is left out: it reads each written activity's participants
    on its own (``rollups._activity``), one query per activity."""
    rows = [activity(i) for i in range(40)]
    with rollups.suspended():
        _queries(w, "activities", ACTIVITY, rows[:5])
        small = _queries(w, "activities", ACTIVITY, rows[:5])
        large = _queries(w, "activities", ACTIVITY, rows)
    assert large == small, f"5 rows: {small} queries; 40 rows: {large}"


def test_standards_cost_the_same_queries_for_5_rows_as_for_50(w, d):
    """A standard's own check — its number registered once, a local standard's region code — is
    answered from the batch's numbers and the region codes read once, not asked row by row."""

    def rows(n: int) -> list[list[object]]:
        return [
            [f"DB42/T {3000 + i}-2018", "", "标准", "起草中", "", "仙桃休闲女装", "", ""] for i in range(n)
        ]

    _queries(w, "standards", STANDARD, rows(5))
    small = _queries(w, "standards", STANDARD, rows(5))
    large = _queries(w, "standards", STANDARD, rows(50))
    assert large == small, f"5 rows: {small} queries; 50 rows: {large}"


def test_an_institution_imports_its_activities_from_the_page_and_sees_only_its_own_runs(w, d, client):
    from django.urls import reverse

    client.force_login(w.institution_user)
    page = client.get(reverse("imports:importrun_add")).content.decode()
    for name in ("activities", "participations", "standards"):
        assert f'value="{name}"' in page
    assert 'value="enterprises"' not in page and 'value="inspections"' not in page
    upload = sheet("activities", ACTIVITY, [activity(1)])
    upload.name = "activities.csv"
    response = client.post(
        reverse("imports:importrun_add"), {"kind": "activities", "file": upload, "dry_run": "on"}
    )
    assert response.status_code == 302
    runs = client.get(reverse("imports:importrun_list"))
    assert runs.context["table"].paginator.count == 1
    client.force_login(w.hunan_officer)
    assert client.get(response.url).status_code == 404
