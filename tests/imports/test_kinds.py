"""The import kinds beyond enterprises: sampled batches of a spot-check report."""

from __future__ import annotations

import csv
import io

from uplift.imports import services
from uplift.imports.choices import RunStatus
from uplift.inspection.models import SamplingInspection

HEADER = [
    "样品编号",
    "受检企业统一社会信用代码",
    "产品名称",
    "产品类别",
    "抽样日期",
    "检验机构",
    "抽查级别",
    "检验结论",
    "不合格项目",
    "产业集群",
]


def batches(rows: list[list[object]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("gb18030"))


def batch(w, n: int, **changes) -> list[object]:
    row = {
        "batch": f"XT2018-{n:04d}",
        "code": w.ent_in.credit_code,
        "product": "女式衬衫",
        "category": "服装",
        "on": "2018年6月1日",
        "body": "湖北省纤维检验局",
        "level": "省级监督抽查",
        "result": "合格",
        "failed": "",
        "cluster": "仙桃休闲女装",
    }
    row.update(changes)
    return list(row.values())


def run(w, rows, **kwargs):
    return services.import_file(
        actor=w.officer, kind="inspections", file=batches(rows), name="抽查.csv", **kwargs
    )


def test_batches_are_imported_with_their_enterprise_cluster_and_region(w):
    result = run(w, [batch(w, 1), batch(w, 2, result="不合格", failed="纤维含量、pH值")])
    assert (result.status, result.created) == (RunStatus.IMPORTED, 2), list(result.problems.values_list())
    failed = SamplingInspection.objects.get(batch_id="XT2018-0002")
    assert (failed.enterprise, failed.cluster, failed.region_id) == (w.ent_in, w.cluster_in, "429004")
    assert (failed.level, failed.result, failed.failed_items) == ("provincial", "fail", "纤维含量\npH值")
    again = run(w, [batch(w, 1), batch(w, 2, result="不合格", failed="纤维含量、pH值")])
    assert (again.created, again.unchanged) == (0, 2)


def test_each_bad_cell_is_named_and_nothing_is_written(w):
    rows = [
        batch(w, 1, code="91420984MA49A1B2C8"),  # valid, not registered
        batch(w, 2, code=w.ent_out.credit_code),  # another province's enterprise
        batch(w, 3, cluster="不存在的集群"),
        batch(w, 4, result="不合格"),  # a fail names its failed items
        batch(w, 5, on="2018-13-45"),
        batch(w, 6, level="县级抽查"),
        batch(w, 1),  # the batch id again
    ]
    result = run(w, rows)
    assert result.status == RunStatus.REJECTED and not SamplingInspection.objects.exists()
    problems = {(p.row, p.field): p.message for p in result.problems.all()}
    assert "is registered" in problems[(2, "enterprise")]
    assert "outside your bureau" in problems[(3, "enterprise")]
    assert "不存在的集群" in problems[(4, "cluster")]
    assert (5, "failed_items") in problems
    assert "2018-13-45" in problems[(6, "sampled_on")]
    assert (7, "level") in problems
    assert "row 2" in problems[(8, "batch_id")]


def test_an_import_of_batches_keeps_the_rollups_true(w, d):
    from uplift.programmes import rollups

    run(w, [batch(w, n, on=f"2018-0{n}-10") for n in range(1, 6)])
    assert SamplingInspection.objects.count() == 5
    assert rollups.differences(w.programme_in) == []


INDICATORS = ["指标", "年份", "企业统一社会信用代码", "产业集群", "地区代码", "数值", "来源"]


def figures(rows: list[list[object]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(INDICATORS)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


def test_yearly_figures_of_a_cluster_an_enterprise_and_a_region_are_imported_then_corrected(w):
    from uplift.indicators.models import EconomicIndicator

    rows = [
        ["产值", "2017", "", "仙桃休闲女装", "", "1,600,000,000", "仙桃市统计年鉴2018"],
        ["Sales revenue", "2018", w.ent_in.credit_code, "", "", "35,000,000", "企业年报"],
        ["从业人员", "2018", "", "", "429004", "12000", "仙桃市统计局"],
    ]
    result = services.import_file(actor=w.officer, kind="indicators", file=figures(rows), name="f.csv")
    assert (result.status, result.created) == (RunStatus.IMPORTED, 3), list(result.problems.values_list())
    cluster_figure = EconomicIndicator.objects.get(cluster=w.cluster_in)
    assert (cluster_figure.kind, cluster_figure.year, cluster_figure.region_id) == (
        "output_value",
        2017,
        "429004",
    )
    rows[0][5] = "1,650,000,000"  # a corrected figure: the same subject, indicator and year
    again = services.import_file(actor=w.officer, kind="indicators", file=figures(rows), name="f.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    cluster_figure.refresh_from_db()
    assert cluster_figure.value == 1_650_000_000


def test_a_figure_needs_a_known_subject_inside_the_area(w):
    rows = [
        ["产值", "2018", "", "", "", "1", "x"],  # of nothing
        ["产值", "2018", "", "没有这个集群", "", "1", "x"],
        ["产值", "2018", "", "", "430100", "1", "x"],  # Changsha: Hunan's
        ["产值", "2018", "", "", "999999", "1", "x"],
        ["产值", "2019", "", "", "429004", "1", "x"],
        ["产值", "2019", "", "", "429004", "2", "x"],  # the same figure twice
    ]
    result = services.import_file(actor=w.officer, kind="indicators", file=figures(rows), name="f.csv")
    problems = {(p.row, p.field) for p in result.problems.all()}
    assert problems == {(2, "enterprise"), (3, "cluster"), (4, "region"), (5, "region"), (7, "kind")}
    assert result.status == RunStatus.REJECTED


def test_memberships_are_matched_by_cluster_and_enterprise(w, d):
    from uplift.programmes import rollups
    from uplift.registry.models import ClusterMembership

    def members(rows):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["产业集群", "统一社会信用代码", "加入日期"])
        writer.writerows(rows)
        return io.BytesIO(out.getvalue().encode("utf-8"))

    ent = w.ent_in
    other = w.ent_out
    rows = [
        ["仙桃休闲女装", ent.credit_code, "2018/2/1"],  # already a member (from 2018-03-01): corrected
        ["仙桃休闲女装", other.credit_code, "2018年5月1日"],  # Hunan's firm in a Hubei cluster: allowed
        ["长沙工程机械", ent.credit_code, "2018-05-01"],  # Hunan's cluster: not this officer's
    ]
    result = services.import_file(
        actor=w.officer, kind="memberships", file=members(rows), name="m.csv", partial=True
    )
    assert (result.created, result.updated, result.rejected) == (1, 1, 1), list(result.problems.values_list())
    assert result.problems.get().field == "cluster"
    assert str(ClusterMembership.objects.get(cluster=w.cluster_in, enterprise=ent).joined_on) == "2018-02-01"
    assert rollups.differences(w.programme_in) == []
