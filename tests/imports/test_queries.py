"""An import's queries do not grow with its rows: what a batch's rows refer to is loaded once per
batch (their enterprises, their cluster memberships, the figures already recorded), never once
per row. Each kind imports 5 rows, then (afresh) 50, inside one batch: the counts must be equal."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from uplift.imports import services
from uplift.imports.choices import RunStatus
from uplift.imports.kinds import KINDS
from uplift.registry import services as registry

SMALL, LARGE = 5, 50


def sheet(kind: str, columns: list[str], rows: list[list[object]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(KINDS[kind].headers(*columns))
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


def queries(w, kind: str, file: io.BytesIO) -> int:
    """The queries of importing ``file`` for real, the records written then undone (so the next
    size starts from the same database)."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            result = services.import_file(actor=w.officer, kind=kind, file=file, name=f"{kind}.csv")
        assert (result.status, result.rejected) == (RunStatus.IMPORTED, 0), list(
            result.problems.values_list("row", "field", "message")
        )
        transaction.set_rollback(True)
    return len(ctx.captured_queries)


@pytest.fixture
def members(w):
    """Two more enterprises of the cluster, so a batch names several members."""
    out = [w.ent_in]
    for serial in (11, 12):
        ent = registry.enterprise_create(
            actor=None,
            credit_code=w.code("429004", serial),
            name=f"仙桃测试服饰{serial}",
            region_id="429004",
            industry_id="18",
        )
        registry.cluster_membership_create(
            actor=None, cluster=w.cluster_in, enterprise=ent, joined_on=datetime.date(2018, 3, 1)
        )
        out.append(ent)
    return out


def test_inspections_with_a_cluster_cost_the_same_queries_for_5_rows_as_for_50(w, members):
    columns = [
        "batch_id",
        "enterprise",
        "product",
        "product_category",
        "sampled_on",
        "inspecting_body",
        "level",
        "result",
        "cluster",
    ]

    def rows(n: int) -> list[list[object]]:
        return [
            [
                f"XT2018-{i:04d}",
                members[i % len(members)].credit_code,
                "女式衬衫",
                "服装",
                "2018-06-01",
                "湖北省纤维检验局",
                "省级监督抽查",
                "合格",
                "仙桃休闲女装",
            ]
            for i in range(n)
        ]

    queries(w, "inspections", sheet("inspections", columns, rows(SMALL)))  # warm per-process caches
    small = queries(w, "inspections", sheet("inspections", columns, rows(SMALL)))
    large = queries(w, "inspections", sheet("inspections", columns, rows(LARGE)))
    assert large == small, f"{SMALL} rows: {small} queries; {LARGE} rows: {large}"


def test_indicators_cost_the_same_queries_for_5_rows_as_for_50(w, members):
    from uplift.indicators import services as indicators
    from uplift.indicators.choices import IndicatorKind

    # Figures already recorded in the series the rows add to (other years): each is a candidate
    # clash the check must rule out.
    for subject in ({"cluster": w.cluster_in}, {"enterprise": w.ent_in}, {"region_id": "429004"}):
        indicators.indicator_create(
            actor=None, kind=IndicatorKind.OUTPUT_VALUE, year=1990, value=1, source="x", **subject
        )
    columns = ["kind", "year", "enterprise", "cluster", "region", "value", "source"]
    subjects = [
        ["", "仙桃休闲女装", ""],
        *([ent.credit_code, "", ""] for ent in members),
        ["", "", "429004"],
    ]
    kinds = [str(label) for label in IndicatorKind.labels]

    def rows(n: int) -> list[list[object]]:
        return [
            [
                kinds[i // len(subjects) % len(kinds)],
                2000 + i // (len(subjects) * len(kinds)),
                *subjects[i % len(subjects)],
                "1,000",
                "年鉴",
            ]
            for i in range(n)
        ]

    queries(w, "indicators", sheet("indicators", columns, rows(SMALL)))
    small = queries(w, "indicators", sheet("indicators", columns, rows(SMALL)))
    large = queries(w, "indicators", sheet("indicators", columns, rows(LARGE)))
    assert large == small, f"{SMALL} rows: {small} queries; {LARGE} rows: {large}"


# What the checks read once per batch says what the model's own check says for one record.


def test_a_batch_of_a_cluster_its_enterprise_is_not_a_member_of_is_rejected_as_the_form_does(w, members):
    outsider = registry.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 13),
        name="仙桃集群外服饰",
        region_id="429004",
        industry_id="18",
    )
    columns = ["batch_id", "enterprise", "product", "product_category", "sampled_on", "inspecting_body"]
    common = ["女式衬衫", "服装", "2018-06-01", "湖北省纤维检验局"]
    file = sheet(
        "inspections",
        [*columns, "level", "result", "cluster"],
        [
            ["XT-1", w.ent_in.credit_code, *common, "省级监督抽查", "合格", "仙桃休闲女装"],
            ["XT-2", outsider.credit_code, *common, "省级监督抽查", "合格", "仙桃休闲女装"],
        ],
    )
    result = services.import_file(actor=w.officer, kind="inspections", file=file, name="a.csv", partial=True)
    assert (result.created, result.rejected) == (1, 1)
    problem = result.problems.get()
    assert (problem.row, problem.field) == (3, "cluster")
    assert problem.message == f"{outsider} is not a member of {w.cluster_in}."
    # A file without the cluster column keeps the batch's cluster, which the enterprise it now
    # names must be a member of too.
    moved = services.import_file(
        actor=w.officer,
        kind="inspections",
        file=sheet(
            "inspections",
            [*columns, "level", "result"],
            [["XT-1", outsider.credit_code, *common, "省级监督抽查", "合格"]],
        ),
        name="b.csv",
    )
    assert moved.status == RunStatus.REJECTED
    assert list(moved.problems.values_list("field", "message")) == [
        ("cluster", f"{outsider} is not a member of {w.cluster_in}.")
    ]


def test_a_figure_recorded_twice_already_is_refused_as_the_form_does(w):
    from uplift.indicators.models import EconomicIndicator

    # Two rows of one figure (written past the checks, as an old import might have): correcting
    # one would leave the other contradicting it.
    for value in (1, 2):
        EconomicIndicator.objects.create(
            kind="output_value", year=2017, cluster=w.cluster_in, value=value, source="x"
        )
    file = sheet(
        "indicators",
        ["kind", "year", "cluster", "value", "source"],
        [["产值", "2017", "仙桃休闲女装", "3", "年鉴"]],
    )
    result = services.import_file(actor=w.officer, kind="indicators", file=file, name="f.csv")
    assert result.status == RunStatus.REJECTED
    problem = result.problems.get()
    assert problem.field == "year"
    assert problem.message.startswith(f"{w.cluster_in} already has its 2017 Output value (")
