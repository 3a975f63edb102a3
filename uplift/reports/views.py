"""Public pages: the tender notices and the grade bulletin anyone may read without signing in; and
the programme report, for officers who may read the programme's dashboard.

Everything is read through :mod:`uplift.procurement.selectors`, whose publication reads never
touch a bid's sealed content and show bids only once their tender was opened.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from uplift.core.export import file_response
from uplift.delivery import selectors as delivery
from uplift.excellence import selectors as excellence
from uplift.procurement import selectors
from uplift.procurement.choices import TenderStatus

from .forms import BenchmarkFilterForm, BulletinFilterForm, TenderFilterForm

PAGE_SIZE = 20


@require_safe
def tender_list(request):
    """Tender notices, newest first, filtered by status and programme."""
    form = TenderFilterForm(request.GET or None, programmes=selectors.public_programmes())
    form.is_valid()  # a filter with an unknown value is left out; the others still apply
    data = getattr(form, "cleaned_data", {})
    programme = data.get("programme")
    tenders = selectors.public_tender_list(
        status=data.get("status") or None, programme=programme.slug if programme else None
    )
    page = Paginator(tenders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/tender_list.html", {"form": form, "page": page})


@require_safe
def tender_detail(request, reference: str):
    """One tender's notice: lots, criteria, timeline, answers, and after the opening its record."""
    tender = selectors.public_tender(reference)
    if tender is None:
        raise Http404
    notice = selectors.public_notice(tender)
    return render(
        request,
        "reports/tender_detail.html",
        {"tender": tender, "notice": notice, "timeline": timeline(notice), "lots": lot_rows(notice)},
    )


def timeline(notice: selectors.PublicNotice) -> list[dict]:
    """The notice's dates in order, each marked once it has passed."""
    t = notice.tender
    events = [
        (t.published_at, _("Published")),
        (t.clarification_deadline, _("Clarification deadline")),
        (t.bid_deadline, _("Bid deadline")),
    ]
    if t.opened_at:
        events.append((t.opened_at, _("Bids opened")))
    elif t.status != TenderStatus.CANCELLED:
        events.append((t.opening_at, _("Opening (planned)")))
    if t.awarded_at:
        events.append((t.awarded_at, _("Award decided")))
        ends = {lot.award.standstill_ends for lot in notice.lots if hasattr(lot, "award")}
        events += [(end, _("Standstill period ends")) for end in sorted(ends)]
    now = timezone.now()
    return [{"at": at, "label": label, "passed": at <= now} for at, label in events]


def lot_rows(notice: selectors.PublicNotice) -> list[dict]:
    """Per lot: the lot, its award if any, its opening record and its ranking."""
    return [
        {
            "lot": lot,
            "award": getattr(lot, "award", None),
            "opening": notice.opening.get(lot.pk, []),
            "ranking": notice.ranking.get(lot.pk, []),
        }
        for lot in notice.lots
    ]


@require_safe
def bulletin(request):
    """The acceptance grades published in the bureau's bulletins (通报), with their totals."""
    form = BulletinFilterForm(request.GET or None, programmes=delivery.bulletin_programmes())
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    programme = data.get("programme")
    rows = delivery.published_acceptances(
        programme=programme.slug if programme else None, grade=data.get("grade") or None
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/bulletin.html", {"form": form, "page": page})


@require_safe
def benchmarks(request):
    """The quality benchmark enterprises the bureau approved (品质标杆企业), by year and cluster;
    a revoked title is not listed."""
    rows = excellence.public_benchmarks()
    years = sorted({d.year for d in rows.dates("approved_on", "year")}, reverse=True)
    clusters = excellence.public_benchmark_clusters()
    form = BenchmarkFilterForm(request.GET or None, years=years, clusters=clusters)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if data.get("year"):
        rows = rows.filter(approved_on__year=data["year"])
    if data.get("cluster"):
        rows = rows.filter(cluster=data["cluster"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/benchmarks.html", {"form": form, "page": page})


#: The formats of the programme report: (content type, writer module).
REPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@require_safe
@login_required
@permission_required("programmes.view_target", raise_exception=True)
def programme_report(request, slug: str, fmt: str):
    """The programme report of the dashboard's region as a download (``?region=`` narrows it,
    clamped to the user's area as on the dashboard)."""
    from uplift.programmes.models import Programme
    from uplift.programmes.views import dashboard_scope

    from .programme import programme_report as gather

    if fmt not in REPORT_FORMATS:
        raise Http404
    programme = get_object_or_404(Programme.objects.visible_to(request.user), slug=slug)
    scope = dashboard_scope(request, programme)
    report = gather(programme, region=scope.region, user=request.user)
    if fmt == "pdf":
        from .pdf import write_pdf as write
    else:
        from .workbook import write_workbook as write
    name = f"{programme.slug}{'-' + scope.region if scope.region else ''}-{report.generated_at:%Y%m%d}.{fmt}"
    return file_response(lambda f: write(report, f), name, REPORT_FORMATS[fmt])
