"""The rollups equal a computation from the records after any sequence of writes (hypothesis), and
the dashboard reads them: its figures are the records' figures."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from uplift.core.signals import bulk_saved
from uplift.delivery.choices import ActivityStatus, BenefitStatus, ProblemStatus, StandardStatus
from uplift.delivery.models import Participation, QualityMethod
from uplift.excellence.choices import BenchmarkStatus, SelfAssessmentStatus
from uplift.excellence.models import Benchmark, Framework, SelfAssessment
from uplift.inspection.models import SamplingInspection
from uplift.programmes import rollups
from uplift.programmes.metrics import METRICS, Scope, dashboard, funnel
from uplift.programmes.models import Rollup, RollupFact
from uplift.registry import services as reg
from uplift.registry.models import ClusterMembership, Region

# --- The cast --------------------------------------------------------------------------------------


class Cast:
    """Delivery's scenario, two more Hubei enterprises in other prefectures and a second Hubei
    cluster that is not a pilot: enough for an enterprise to change cluster, region and stage."""

    def __init__(self, w, d) -> None:
        self.w, self.d = w, d
        self.ent_wuhan = reg.enterprise_create(
            actor=None,
            credit_code=w.code("420102", 11),
            name="武汉江岸服饰",
            region_id="420102",
            industry_id="18",
        )
        self.ent_qichun = reg.enterprise_create(
            actor=None,
            credit_code=w.code("421126", 12),
            name="蕲春艾草制品",
            region_id="421126",
            industry_id="18",
        )
        self.cluster_qichun = reg.cluster_create(
            actor=None, name="蕲春蕲艾", region_id="421126", lead_industry_id="18"
        )
        self.enterprises = [w.ent_in, w.ent_out, self.ent_wuhan, self.ent_qichun]
        self.clusters = [w.cluster_in, w.cluster_out, self.cluster_qichun]
        self.activities = [d.approved, d.submitted, d.draft, d.activity_out]
        self.regions = ["429004", "420102", "421126", "430102"]
        self.excellence = QualityMethod.objects.get(code="excellence")
        self.framework = Framework.objects.get(code="GB/T 19580-2012")


def _month(m: int) -> datetime.date:
    return datetime.date(2018, m, 7)


def _reload(obj):
    """The record as stored now, or None once a write deleted it."""
    return type(obj).objects.filter(pk=obj.pk).first()


# --- Writes ----------------------------------------------------------------------------------------


def join(c: Cast, e: int, k: int) -> None:
    ClusterMembership.objects.get_or_create(
        cluster=c.clusters[k], enterprise=c.enterprises[e], defaults={"joined_on": _month(1)}
    )


def leave(c: Cast, e: int, k: int) -> None:
    ClusterMembership.objects.filter(cluster=c.clusters[k], enterprise=c.enterprises[e]).delete()


def take_part(c: Cast, a: int, e: int, managers: int) -> None:
    activity, enterprise = _reload(c.activities[a]), c.enterprises[e]
    if activity and not Participation.objects.filter(activity=activity, enterprise=enterprise).exists():
        Participation(activity=activity, enterprise=enterprise, managers=managers).save()


def take_part_in_bulk(c: Cast, a: int, managers: int) -> None:
    activity = _reload(c.activities[a])
    if activity is None:
        return
    taken = set(Participation.objects.filter(activity=activity).values_list("enterprise_id", flat=True))
    rows = [
        Participation(activity=activity, enterprise=e, region_id=e.region_id, managers=managers)
        for e in c.enterprises
        if e.pk not in taken
    ]
    bulk_saved.send(sender=Participation, instances=Participation.objects.bulk_create(rows))


def drop(c: Cast, a: int, e: int) -> None:
    Participation.objects.filter(activity=c.activities[a], enterprise=c.enterprises[e]).delete()


def set_status(c: Cast, a: int, status: str) -> None:
    activity = _reload(c.activities[a])
    if activity is None:
        return
    activity.status = status
    activity.save()


def move(c: Cast, a: int, m: int, k: int | None) -> None:
    activity = _reload(c.activities[a])
    if activity is None:
        return
    activity.held_on = _month(m)
    activity.cluster = None if k is None else c.clusters[k]
    activity.save()


def methods(c: Cast, a: int, advanced: bool) -> None:
    activity = _reload(c.activities[a])
    if activity is None:
        return
    (activity.methods.add if advanced else activity.methods.remove)(c.d.six_sigma)


def excellence(c: Cast, a: int, covered: bool) -> None:
    """An activity covers the excellence method or not: its trainees may adopt the model."""
    activity = _reload(c.activities[a])
    if activity is None:
        return
    (activity.methods.add if covered else activity.methods.remove)(c.excellence)


def assess(c: Cast, e: int, m: int | None) -> None:
    """An enterprise's self-assessment is accepted in month ``m``, or (None) returned."""
    enterprise = c.enterprises[e]
    assessment = SelfAssessment.objects.filter(enterprise=enterprise).first() or SelfAssessment(
        enterprise=enterprise, framework=c.framework, year=2018
    )
    if m is None:
        assessment.status, assessment.accepted_on = SelfAssessmentStatus.RETURNED, None
    else:
        assessment.status, assessment.accepted_on = SelfAssessmentStatus.ACCEPTED, _month(m)
    assessment.save()


def benchmark(c: Cast, e: int, m: int | None) -> None:
    """The bureau names an enterprise a benchmark of the Hubei programme in month ``m``, or (None)
    revokes the title."""
    found = Benchmark.objects.filter(programme=c.w.programme_in, enterprise=c.enterprises[e]).first()
    if m is None:
        if found:
            found.status = BenchmarkStatus.REVOKED
            found.save()
        return
    found = found or Benchmark(programme=c.w.programme_in, enterprise=c.enterprises[e], reason="示范")
    found.status, found.approved_on = BenchmarkStatus.APPROVED, _month(m)
    found.save()


def relocate(c: Cast, e: int, r: int) -> None:
    enterprise = _reload(c.enterprises[e])
    enterprise.region_id = c.regions[r]
    enterprise.save()


def solve(c: Cast, solved: bool, m: int) -> None:
    problem = _reload(c.d.problem)
    problem.status = ProblemStatus.CLOSED if solved else ProblemStatus.OPEN
    problem.closed_on = _month(m) if solved else None
    problem.save()


def verify_benefit(c: Cast, verified: bool, amount: int) -> None:
    benefit = _reload(c.d.benefit)
    benefit.status = BenefitStatus.VERIFIED if verified else BenefitStatus.SUBMITTED
    benefit.amount = Decimal(amount)
    benefit.save()


def standard_status(c: Cast, approved: bool) -> None:
    standard = _reload(c.d.standard)
    standard.status = StandardStatus.APPROVED if approved else StandardStatus.DRAFTING
    standard.save()


def inspect(c: Cast, e: int, m: int, passed: bool, k: int | None) -> None:
    enterprise = c.enterprises[e]
    cluster = None if k is None else c.clusters[k]
    if cluster and not ClusterMembership.objects.filter(cluster=cluster, enterprise=enterprise).exists():
        cluster = None
    SamplingInspection(
        enterprise=enterprise,
        cluster=cluster,
        product="童车",
        product_category="童车",
        batch_id=f"B{SamplingInspection.objects.count() + 1:06d}",
        sampled_on=_month(m),
        inspecting_body="省质检院",
        level="provincial",
        result="pass" if passed else "fail",
    ).save()


def forget_inspection(c: Cast) -> None:
    last = SamplingInspection.objects.order_by("-pk").first()
    if last:
        last.delete()


def delete_activity(c: Cast, a: int) -> None:
    # Only the draft and submitted activities have no problem, report or benefit pointing at them.
    if a in (1, 2):
        type(c.activities[a]).objects.filter(pk=c.activities[a].pk).delete()


E, A, K, M = st.integers(0, 3), st.integers(0, 3), st.integers(0, 2), st.integers(1, 12)
STATUSES = st.sampled_from([ActivityStatus.APPROVED, ActivityStatus.SUBMITTED, ActivityStatus.DRAFT])
WRITES = st.one_of(
    st.tuples(st.just(join), E, K),
    st.tuples(st.just(leave), E, K),
    st.tuples(st.just(take_part), A, E, st.integers(0, 5)),
    st.tuples(st.just(take_part_in_bulk), A, st.integers(0, 3)),
    st.tuples(st.just(drop), A, E),
    st.tuples(st.just(set_status), A, STATUSES),
    st.tuples(st.just(move), A, M, st.none() | K),
    st.tuples(st.just(methods), A, st.booleans()),
    st.tuples(st.just(excellence), A, st.booleans()),
    st.tuples(st.just(assess), E, st.none() | M),
    st.tuples(st.just(benchmark), E, st.none() | M),
    st.tuples(st.just(relocate), E, st.integers(0, 3)),
    st.tuples(st.just(solve), st.booleans(), M),
    st.tuples(st.just(verify_benefit), st.booleans(), st.integers(1, 500_000)),
    st.tuples(st.just(standard_status), st.booleans()),
    st.tuples(st.just(inspect), E, M, st.booleans(), st.none() | K),
    st.tuples(st.just(forget_inspection)),
    st.tuples(st.just(delete_activity), A),
)


class Rollback(Exception):
    pass


def assert_rollups_are_the_records(c: Cast) -> None:
    """Every rollup row equals the computation from scratch, and the figures read from the rollups
    equal those counted from the records, for the programme, its regions and its clusters."""
    for programme in (c.w.programme_in, c.w.programme_out):
        assert rollups.differences(programme) == []
        children = list(Region.objects.filter(parent_id=programme.region_id).values_list("code", flat=True))
        totals = rollups.totals(programme, programme.region_id)
        by_region = rollups.by_region(programme, children)
        by_cluster = rollups.by_cluster(programme, programme.region_id)
        for name, metric in METRICS.items():
            scope = Scope(programme)
            assert totals.get(name, 0) == metric.value(scope), name
            counted = {k: v for k, v in metric.by_region(scope, children).items() if v}
            assert by_region.get(name, {}) == counted, name
            if metric.cluster_lookup:  # enterprises count under every cluster they belong to, pilot or not
                expected = {k: v for k, v in metric.by_cluster(scope).items() if k and v}
                assert by_cluster.get(name, {}) == expected, name
            for cluster in c.clusters:
                scoped = Scope(programme, cluster_id=cluster.pk)
                assert rollups.totals(programme, programme.region_id, cluster.pk).get(
                    name, 0
                ) == metric.value(scoped), (name, cluster.name)


def _rows() -> set[tuple]:
    return set(
        Rollup.objects.values_list("programme_id", "metric", "month", "region_id", "cluster_id", "value")
    )


@pytest.fixture
def cast(w, d):
    return Cast(w, d)


def test_the_scenario_starts_with_rollups_equal_to_the_records(cast):
    assert Rollup.objects.exists() and RollupFact.objects.exists()
    assert_rollups_are_the_records(cast)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(WRITES, min_size=1, max_size=8))
def test_rollups_equal_the_records_after_any_writes(cast, writes):
    note(repr([(write.__name__, *args) for write, *args in writes]))
    try:
        with transaction.atomic():
            for write, *args in writes:
                write(cast, *args)
            assert_rollups_are_the_records(cast)
            # The set-based rebuild arrives at the same rows as the writes' upkeep did.
            kept = _rows()
            rollups.rebuild()
            assert _rows() == kept
            assert rollups.differences(cast.w.programme_in) == []
            raise Rollback
    except Rollback:
        pass


def test_a_refresh_applied_twice_changes_nothing(cast):
    excellence(cast, 0, True)
    assess(cast, 0, 6)
    before = list(
        Rollup.objects.order_by("pk").values_list("metric", "month", "region_id", "cluster_id", "value")
    )
    metric = METRICS["excellence_adopters"]
    assert rollups.refresh(cast.w.programme_in, metric, [cast.w.ent_in.pk]) == 0
    after = list(
        Rollup.objects.order_by("pk").values_list("metric", "month", "region_id", "cluster_id", "value")
    )
    assert after == before


def test_the_upkeep_of_a_bulk_write_does_not_grow_with_its_rows(cast):
    """The queries of a bulk insert's upkeep do not depend on how many rows it wrote (a touch
    read per row cost 10,000 queries for 10,000 participations), and its twin metrics' facts are
    computed once: served and taking part are the same enterprises."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    extra = [
        reg.enterprise_create(
            actor=None,
            credit_code=cast.w.code("429004", 40 + n),
            name=f"仙桃企业{n}",
            region_id="429004",
            industry_id="18",
        )
        for n in range(12)
    ]
    assert rollups.twin_of(cast.w.programme_in, METRICS["enterprises_served"]) == "enterprises_served"
    assert rollups.twin_of(cast.w.programme_in, METRICS["enterprises_participating"]) == "enterprises_served"
    assert rollups.twin_of(cast.w.programme_in, METRICS["activities"]) == "activities"
    activity = cast.d.approved
    counts = []
    for group in (extra[:3], extra[3:]):
        rows = [
            Participation(activity=activity, enterprise=e, region_id=e.region_id, managers=1) for e in group
        ]
        with CaptureQueriesContext(connection) as ctx:
            bulk_saved.send(sender=Participation, instances=Participation.objects.bulk_create(rows))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert_rollups_are_the_records(cast)


def test_a_distinct_count_counts_once_in_its_first_month(cast):
    """An enterprise served in July and again in October counts once, in July; in its province,
    its prefecture-level city and its cluster alike."""
    w, d = cast.w, cast.d
    october = d.activity(d.project, [(w.ent_in.pk, 1)], stage="approved", held_on=datetime.date(2018, 10, 9))
    rows = Rollup.objects.filter(programme=w.programme_in, metric="enterprises_served")
    assert {(r.month, r.region_id, r.cluster_id, r.value) for r in rows} == {
        (datetime.date(2018, 7, 1), "429004", 0, 1),
        (datetime.date(2018, 7, 1), "420000", 0, 1),
        (datetime.date(2018, 7, 1), "429004", w.cluster_in.pk, 1),
        (datetime.date(2018, 7, 1), "420000", w.cluster_in.pk, 1),
    }
    assert october.participations.count() == 1


def test_suspended_writes_are_caught_up_by_a_rebuild(cast):
    with rollups.suspended():
        excellence(cast, 0, True)
        assess(cast, 0, 5)
    assert rollups.differences(cast.w.programme_in)
    with pytest.raises(CommandError, match="differ from the records"):
        call_command("rollups", "verify")
    call_command("rollups", "rebuild", "--programme", "hubei-2018")
    call_command("rollups", "verify")
    assert rollups.differences(cast.w.programme_in) == []


def test_rebuild_since_a_month_keeps_the_earlier_rows(cast):
    earlier = Rollup.objects.filter(month__lt=datetime.date(2018, 8, 1))
    kept = set(earlier.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("rollups", "rebuild", "--since", "2018-08", verbosity=2, stdout=out)
    assert set(earlier.values_list("pk", flat=True)) == kept
    assert rollups.differences(cast.w.programme_in) == []
    # Every programme rebuilt at once, each metric's time told at -v 2.
    assert "hubei-2018 manager_participations:" in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("hubei-2018, ")


def test_rollups_command_rejects_bad_input(cast):
    with pytest.raises(CommandError, match="--since"):
        call_command("rollups", "rebuild", "--since", "2018-13")
    with pytest.raises(CommandError, match="no programme"):
        call_command("rollups", "rebuild", "--programme", "nowhere")


def test_the_dashboard_reads_rollups_not_records(cast, django_assert_max_num_queries):
    scope = Scope(cast.w.programme_in)
    with django_assert_max_num_queries(12):
        data = dashboard(scope)
    for kpi in data["kpis"]:
        assert kpi["value"] == METRICS[kpi["name"]].value(scope), kpi["name"]
    assert [s["value"] for s in data["funnel"]] == [s["value"] for s in funnel(scope)]
    assert [s["within_previous"] for s in data["funnel"]] == [s["within_previous"] for s in funnel(scope)]
