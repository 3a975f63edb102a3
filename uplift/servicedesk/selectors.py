"""Reads of the one-stop service: overdue and on-time slices, and the figures of the dashboard."""

from __future__ import annotations

import datetime
import statistics
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from uplift.core.work import ENTERPRISES, EXPERTS, INSTITUTIONS, OFFICERS, OVERDUE, work_source

from .choices import OPEN_STATES, RequestStatus
from .models import ServiceRequest


def overdue_q(now: datetime.datetime | None = None) -> Q:
    """Requests still waiting past their time: not accepted past the response time, or not
    answered past the answer time (read from ``servicedesk_overdue_idx`` / ``_unanswered_idx``)."""
    now = now or timezone.now()
    return Q(status=RequestStatus.SUBMITTED, response_due_at__lt=now) | Q(
        status__in=OPEN_STATES, answer_due_at__lt=now
    )


def answered_on_time_q() -> Q:
    return Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))


def requests_in(
    user: Any,
    *,
    region: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    cluster: int | None = None,
    requests: QuerySet | None = None,
) -> QuerySet:
    """The requests ``user`` may see, filed in the region's subtree (and ``cluster``) between
    ``since`` and ``until``; narrowed from ``requests`` instead when given (``user`` is then
    None: ``uplift figures`` reads every request, as it reads every other record)."""
    from uplift.accounts.access import in_subtree, region_prefix

    qs = requests if requests is not None else ServiceRequest.objects.visible_to(user)
    if region:
        qs = qs.filter(in_subtree("region_id", region_prefix(region)))
    if cluster:
        qs = qs.filter(cluster_id=cluster)
    if since:
        qs = qs.filter(filed_at__date__gte=since)
    if until:
        qs = qs.filter(filed_at__date__lte=until)
    return qs


def request_metrics(
    user: Any,
    *,
    region: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    cluster: int | None = None,
    requests: QuerySet | None = None,
) -> dict[str, Any]:
    """The one-stop service's figures for what ``user`` sees (or for ``requests``, see
    :func:`requests_in`), each with the link to its records.

    * ``requests`` — filed in the period;
    * ``median_hours_to_response`` — median hours from filing to acceptance (the first response)
      over the requests accepted, with its n. The median is not an aggregate every database has:
      the durations of the region's accepted requests are fetched (two timestamps a row; a region
      files hundreds of requests a year, not millions) and the median taken here;
    * ``answered_on_time`` — the share of answered requests answered by their due time, with n;
    * ``satisfaction`` — the mean rating of the closed requests, with n;
    * ``overdue`` — requests waiting past their time now.

    Counts and the mean are one aggregate query in the database.
    """
    qs = requests_in(user, region=region, since=since, until=until, cluster=cluster, requests=requests)
    totals = qs.aggregate(
        requests=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        on_time=Count("pk", filter=answered_on_time_q()),
        rated=Count("pk", filter=Q(satisfaction__isnull=False)),
        satisfaction=Avg("satisfaction"),
        overdue=Count("pk", filter=overdue_q()),
    )
    hours = [
        (accepted - filed).total_seconds() / 3600
        for filed, accepted in qs.filter(accepted_at__isnull=False).values_list("filed_at", "accepted_at")
    ]
    filters = {"region": region, "cluster": cluster, "since": since, "until": until}
    base = {k: v for k, v in filters.items() if v}

    def url(**filters: Any) -> str:
        query = {**{k: str(v) for k, v in base.items()}, **filters}
        return reverse("servicedesk:servicerequest_list") + ("?" + urlencode(query) if query else "")

    answered, rated = totals["answered"], totals["rated"]
    return {
        "requests": {"value": totals["requests"], "url": url()},
        "median_hours_to_response": {
            "value": round(statistics.median(hours), 1) if hours else None,
            "n": len(hours),
            "url": url(responded="true"),
        },
        "answered_on_time": {
            "value": round(100 * totals["on_time"] / answered, 1) if answered else None,
            "on_time": totals["on_time"],
            "n": answered,
            "url": url(answered_on_time="true"),
            "n_url": url(answered="true"),
        },
        "satisfaction": {
            "value": round(totals["satisfaction"], 2) if totals["satisfaction"] is not None else None,
            "n": rated,
            "url": url(rated="true"),
        },
        "overdue": {"value": totals["overdue"], "url": url(overdue="true")},
    }


# --- Work items ("my work") ------------------------------------------------------------------------


work_source(
    ServiceRequest,
    key="servicedesk.requests_to_route",
    label=gettext_lazy("Service requests to route"),
    hint=gettext_lazy("No rule matched them: send each to a station, an institution or an expert."),
    audience=OFFICERS,
    permission="servicedesk.change_servicerequest",
    params={"status": RequestStatus.SUBMITTED, "unrouted": "true"},
)

work_source(
    ServiceRequest,
    key="servicedesk.requests_to_accept",
    label=gettext_lazy("Service requests to accept"),
    hint=gettext_lazy("Routed to you: accept each, the enterprise's first response."),
    audience=(INSTITUTIONS, EXPERTS),
    permission="servicedesk.change_servicerequest",
    params={"status": RequestStatus.SUBMITTED},
)

work_source(
    ServiceRequest,
    key="servicedesk.requests_overdue",
    label=gettext_lazy("Service requests overdue"),
    hint=gettext_lazy("Not accepted or not answered within the time promised."),
    audience=(OFFICERS, INSTITUTIONS, EXPERTS),
    params={"overdue": "true"},
    tone=OVERDUE,
)

work_source(
    ServiceRequest,
    key="servicedesk.requests_to_rate",
    label=gettext_lazy("Answered requests to close and rate"),
    hint=gettext_lazy("Say how satisfied you are with the answer, from 1 to 5."),
    audience=ENTERPRISES,
    permission="servicedesk.change_servicerequest",
    params={"status": RequestStatus.ANSWERED},
)
