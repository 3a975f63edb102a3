"""The programme report (项目进展报告): what the programme reached, for a leader to read on paper.

:func:`programme_report` gathers it once; :mod:`.workbook` writes it as a multi-sheet xlsx and
:mod:`.pdf` lays it out for A4. Both renderers read only this object, so the workbook and the PDF
always say the same thing, and it is what the dashboard says: the figures are read from the
rollups (:func:`uplift.programmes.metrics.dashboard`), the charts are the dashboard's chart specs,
and each cluster's pass rate carries its 95% interval.

Contents: the headline figures against their targets, the funnel (served → adopted the excellence
model → benchmark), the child regions, one section per pilot cluster (activities, participants,
problems solved, standards, benefits, its pass rate before and during the programme, its growth,
its projects and their grades) and the bulletin of published grades.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from uplift.delivery.models import Acceptance
from uplift.delivery.selectors import pilots_projects, programme_bulletin
from uplift.indicators.choices import IndicatorKind
from uplift.indicators.selectors import cagr, cluster_series
from uplift.inspection.rates import Rate
from uplift.programmes.charts import dashboard_charts
from uplift.programmes.metrics import Scope, dashboard
from uplift.programmes.models import Programme

#: The yearly indicators a cluster's section shows, in this order.
SERIES_KINDS = (IndicatorKind.OUTPUT_VALUE, IndicatorKind.SALES_REVENUE, IndicatorKind.EMPLOYEES)

#: Figures that say nothing about one cluster (its own pilot counts 1).
PROGRAMME_ONLY = {"pilot_clusters"}


@dataclass
class ClusterSection:
    """One pilot cluster's page: its figures, pass rate, growth and projects."""

    pilot: Any
    cluster: Any
    institution: Any
    #: The dashboard's cells for the cluster: ``{"label", "value", "unit_label", "url"}``.
    figures: list[dict[str, Any]]
    pass_rate: Rate | None
    #: The before/after comparison row of the dashboard, when the cluster was sampled in both.
    comparison: dict[str, Any] | None
    #: Compound annual growth by indicator kind, each ``{"value", "from_year", "to_year", ...}``.
    growth: dict[str, dict[str, Any]]
    #: The cluster's own yearly indicators: ``[(year, {kind: value})]``, oldest first.
    series: list[tuple[int, dict[str, Any]]]
    #: Its service projects, each with its acceptance once graded.
    projects: list[dict[str, Any]]


@dataclass
class ProgrammeReport:
    """Everything the report shows, computed once."""

    programme: Programme
    region: Any
    scope: Scope
    generated_at: datetime.datetime
    kpis: list[dict[str, Any]]
    funnel: list[dict[str, Any]]
    metrics: list[Any]
    by_region: list[dict[str, Any]]
    clusters: list[ClusterSection]
    #: The dashboard's chart specs by id (``chart-targets``, ``chart-pass-rate``, ...).
    charts: dict[str, Any]
    bulletin: list[Acceptance]
    series_kinds: tuple = field(default=SERIES_KINDS)

    @property
    def cluster_metrics(self) -> list[Any]:
        """The metrics of a cluster's section (its :attr:`ClusterSection.figures`, in order)."""
        return [m for m in self.metrics if m.name not in PROGRAMME_ONLY]

    @property
    def title(self) -> str:
        return f"{self.programme.name} · {self.region.name}"


def programme_report(
    programme: Programme, *, region: str | None = None, user: Any = None, now: datetime.datetime | None = None
) -> ProgrammeReport:
    """The report of ``programme`` for ``region`` (a GB/T 2260 code inside the programme's region;
    the whole programme by default).

    ``user`` limits the projects and grades to those the user may see (the CLI passes none: it
    runs as the system). The caller checks that the region is the user's to read, as the
    dashboard does (:func:`uplift.programmes.views.dashboard_scope`).
    """
    if region == programme.region_id:
        region = None
    scope = Scope(programme, region=region)
    data = dashboard(scope)
    charts = dashboard_charts(data)
    pilots = [row["pilot"] for row in data["by_cluster"]]
    comparison = {row["pilot"].pk: row for row in charts["comparison"] or []}
    growth, series = _indicators([p.cluster_id for p in pilots])
    projects = pilots_projects(pilots, user)
    metrics = {m.name: m for m in data["metrics"]}
    clusters = [
        ClusterSection(
            pilot=row["pilot"],
            cluster=row["cluster"],
            institution=row["institution"],
            figures=[
                {
                    "name": cell["metric"],
                    "label": metrics[cell["metric"]].label,
                    "unit_label": metrics[cell["metric"]].unit_label,
                    "value": cell["value"],
                    "url": cell["url"],
                }
                for cell in row["cells"]
                if cell["metric"] not in PROGRAMME_ONLY
            ],
            pass_rate=row["pass_rate"],
            comparison=comparison.get(row["pilot"].pk),
            growth=growth.get(row["cluster"].pk, {}),
            series=series.get(row["cluster"].pk, []),
            projects=projects.get(row["pilot"].pk, []),
        )
        for row in data["by_cluster"]
    ]
    bulletin = programme_bulletin(programme, region)
    return ProgrammeReport(
        programme=programme,
        region=data["region"],
        scope=scope,
        generated_at=now or timezone.now(),
        kpis=data["kpis"],
        funnel=data["funnel"],
        metrics=data["metrics"],
        by_region=data["by_region"],
        clusters=clusters,
        charts=charts["specs"],
        bulletin=bulletin,
    )


def _indicators(cluster_ids: list[int]) -> tuple[dict[int, dict], dict[int, list]]:
    """Each cluster's own yearly rows of :data:`SERIES_KINDS` (one query), as a table by year and
    as compound annual growth from the first year to the last."""
    growth: dict[int, dict[str, Any]] = defaultdict(dict)
    years: dict[int, dict[int, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for (cluster, kind), found in cluster_series(cluster_ids, SERIES_KINDS).items():
        result = cagr(found)
        if result:
            growth[cluster][kind] = result
        for r in found:
            years[cluster][r.year][kind] = r.value
    series = {c: sorted(by_year.items()) for c, by_year in years.items()}
    return growth, series
