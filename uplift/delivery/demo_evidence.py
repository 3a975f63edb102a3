"""Evidence files of the Hubei demo: sign-in sheets and photos of activities, photos of fixed
problems, evaluation reports, and the calculation behind Xiantao's verified losses avoided.

Runs after :mod:`uplift.delivery.demo_acceptance`. The records are of 2018, already approved,
closed or verified, so the system files their evidence as an import of past records would
(``actor=None``). The files are small but real — a PDF that any reader opens, a PNG, an xlsx
workbook — so a download shows what a user would get. Text inside the files is ASCII (the demo
draws them without a font library); their names are Chinese, as users name them.

Qichun's supplementary project files its sheets through the institution's user, before
submitting (:func:`attach_sign_in_sheet`, called by the acceptance builder).
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from uplift.core.demo import sample_pdf, sample_png
from uplift.core.models import Attachment, AttachmentKind
from uplift.core.services import attachment_add

from .choices import ActivityStatus, BenefitStatus, ProblemStatus
from .models import Activity, Benefit, EvaluationReport, Problem, ServiceProject

PROGRAMME = "hubei-2018"
#: approved activities per project that get a sign-in sheet and a photo
ACTIVITIES_PER_PROJECT = 2


def _file(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def attach_sign_in_sheet(actor: Any, activity: Activity, *, signed: bool = True) -> Attachment:
    """The activity's sign-in sheet as a one-page PDF: date, place code, one line per enterprise."""
    parts = list(activity.participations.select_related("enterprise").order_by("enterprise__credit_code"))
    lines = [
        f"Sign-in sheet - activity {activity.pk}",
        f"Date: {activity.held_on:%Y-%m-%d}   Region: {activity.region_id}",
        f"Enterprises: {len(parts)}   Quality managers: {sum(p.managers for p in parts)}",
        "",
        *(
            f"{n:>2}. {p.enterprise.credit_code}   managers: {p.managers}   "
            + ("signed" if signed else "contact signature missing")
            for n, p in enumerate(parts[:28], start=1)
        ),
    ]
    return attachment_add(
        actor=actor,
        parent=activity,
        file=_file(f"签到表-{activity.held_on:%Y%m%d}.pdf", sample_pdf(lines)),
        kind=AttachmentKind.SIGN_IN,
        description="参训企业签到表（加盖企业公章）" if signed else "参训企业签到表（缺联系人签字）",
    )


def _calculation_workbook(benefit: Benefit) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("测算")
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, ["项目", "金额（元）", "说明"])
    sheet.write_row(1, 0, ["申报金额", float(benefit.amount)])
    sheet.set_column(1, 1, None, money)
    sheet.write(1, 2, benefit.calculation[:250])
    sheet.write_row(2, 0, ["年度", benefit.year])
    sheet.set_column(0, 0, 14)
    sheet.set_column(2, 2, 60)
    book.close()
    return buf.getvalue()


def build(ctx) -> None:
    if Attachment.objects.filter(uploaded_by__isnull=True).exists():
        ctx.say("evidence files: already built")
        return
    projects = ServiceProject.objects.filter(pilot__programme__slug=PROGRAMME).order_by("pk")
    sheets = photos = 0
    for project in projects:
        approved = Activity.objects.filter(project=project, status=ActivityStatus.APPROVED).order_by(
            "held_on", "pk"
        )[:ACTIVITIES_PER_PROJECT]
        for activity in approved:
            attach_sign_in_sheet(None, activity)
            attachment_add(
                actor=None,
                parent=activity,
                file=_file(f"现场照片-{activity.held_on:%Y%m%d}.png", sample_png(activity.pk)),
                kind=AttachmentKind.PHOTO,
                description="活动现场照片",
            )
            sheets, photos = sheets + 1, photos + 1
    fixed = Problem.objects.filter(programme__slug=PROGRAMME, status=ProblemStatus.CLOSED).order_by("pk")[:12]
    for problem in fixed:
        attachment_add(
            actor=None,
            parent=problem,
            file=_file(f"整改后照片-{problem.pk}.png", sample_png(10_000 + problem.pk)),
            kind=AttachmentKind.PHOTO,
            description="整改完成后现场照片",
        )
    reports = EvaluationReport.objects.filter(programme__slug=PROGRAMME).order_by("pk")[:10]
    for report in reports:
        lines = [
            f"Enterprise standard evaluation report {report.report_number}",
            f"Enterprise: {report.enterprise.credit_code}",
            f"Issued: {report.issued_on:%Y-%m-%d}   Conclusion: {report.conclusion}",
        ]
        attachment_add(
            actor=None,
            parent=report,
            file=_file(f"评价报告-{report.report_number}.pdf", sample_pdf(lines)),
            kind=AttachmentKind.REPORT,
            description="企业标准评价报告（盖章扫描件）",
        )
    verified = Benefit.objects.filter(programme__slug=PROGRAMME, status=BenefitStatus.VERIFIED).order_by(
        "-amount", "pk"
    )[:3]
    for benefit in verified:
        attachment_add(
            actor=None,
            parent=benefit,
            file=_file(f"效益测算-{benefit.year}-{benefit.pk}.xlsx", _calculation_workbook(benefit)),
            kind=AttachmentKind.REPORT,
            description="效益测算表及财务凭证",
        )
    ctx.say(
        f"evidence files: {sheets} sign-in sheets and {photos} photos of activities, "
        f"{len(fixed)} photos of fixed problems, {len(reports)} evaluation reports, "
        f"{len(verified)} benefit calculations"
    )
