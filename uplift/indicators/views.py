"""Pages of economic indicators: the list, a figure with its series and growth, the form."""

from __future__ import annotations

from typing import Any

from uplift.core.views import ObjectViews

from . import filtersets, forms, selectors, services, tables
from .models import EconomicIndicator


def indicator_extra(indicator: EconomicIndicator, user: Any) -> dict[str, Any]:
    rows = selectors.series(indicator.same_series().visible_to(user))
    growth = selectors.cagr(rows)
    return {
        "series": [{**r, "percent": selectors.as_percent(r["growth"])} for r in selectors.year_on_year(rows)],
        "cagr": {**growth, "percent": selectors.as_percent(growth["value"])} if growth else None,
    }


indicator_views = ObjectViews(
    model=EconomicIndicator,
    table=tables.IndicatorTable,
    filterset=filtersets.IndicatorFilterSet,
    form=forms.IndicatorForm,
    services=services,
    service_prefix="indicator",
    select_related=("enterprise", "cluster", "region"),
    detail_fields=["kind", "year", "enterprise", "cluster", "region", "value", "source", "note"],
    detail_template="indicators/economicindicator_detail.html",
    detail_extra=indicator_extra,
)
