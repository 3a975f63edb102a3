"""What the browser journeys need beyond the Hubei demo, written through the same services an
officer's pages call. The demo is dated 2018–2019, so nothing in it is open for bids today:

* the demo's 2019 follow-up tender (a draft) gets a timeline from today and is published, so an
  institution can bid for it;
* a second 2019 tender, for the Qianjiang crayfish lot's second phase, was published a month ago,
  received three bids and was opened two days ago; expert.chen chairs its panel and has not
  scored yet.

Run in the journey server's environment, after ``uplift demo --load-only``:
``python tests/e2e/prepare.py``. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import django

EVALUATING = "HBZB-2019-02"
BIDS = {  # institution -> (price, proposal)
    "潜江市小龙虾产业品质技术服务中心": (Decimal("276000.00"), "小龙虾养殖、加工标准化二期服务方案"),
    "武汉华质质量技术服务有限公司": (Decimal("262500.00"), "小龙虾加工企业质量诊断与培训方案"),
    "湖北楚标标准化技术服务有限公司": (Decimal("289000.00"), "小龙虾团体标准制修订服务方案"),
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uplift.settings")
    django.setup()

    from django.db import transaction
    from django.utils import timezone

    from uplift.procurement import demo, services
    from uplift.procurement.models import Tender, TenderStatus
    from uplift.registry.models import Expert, ServiceInstitution

    now = timezone.now().replace(second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    with transaction.atomic():
        follow_up = Tender.objects.get(reference=demo.FOLLOW_UP)
        if follow_up.status == TenderStatus.DRAFT:
            deadline = now + 14 * day
            services.tender_update(
                actor=None,
                instance=follow_up,
                clarification_deadline=now + 7 * day,
                bid_deadline=deadline,
                opening_at=deadline + datetime.timedelta(minutes=30),
                evaluation_on=deadline.date(),
            )
            services.tender_publish(actor=None, tender=follow_up, at=now)

        if Tender.objects.filter(reference=EVALUATING).exists():
            return
        opened = now - 2 * day
        tender = services.tender_create(
            actor=None,
            programme=follow_up.programme,
            reference=EVALUATING,
            title="湖北省品质提升“万千百”工程潜江小龙虾产业集群深化服务采购项目（2019年第二批）",
            description="潜江小龙虾产业集群养殖、加工标准化第二期服务。",
            clarification_deadline=opened - 10 * day,
            bid_deadline=opened,
            opening_at=opened + datetime.timedelta(minutes=30),
            evaluation_on=opened.date(),
        )
        pilot = follow_up.lots.get(number=2).pilot
        lot = services.lot_create(
            actor=None,
            tender=tender,
            number=1,
            pilot=pilot,
            title="潜江小龙虾产业集群品质提升深化服务（第二批）",
            budget_ceiling=Decimal(300_000),
        )
        for position, (kind, label, weight) in enumerate(demo.CRITERIA, start=1):
            services.criterion_create(
                actor=None, tender=tender, kind=kind, name=label, weight=weight, position=position
            )
        tender = services.tender_publish(actor=None, tender=tender, at=opened - 30 * day)
        for i, (name, (price, proposal)) in enumerate(BIDS.items()):
            services.bid_submit(
                actor=None,
                lot=lot,
                institution=ServiceInstitution.objects.get(name=name),
                price=price,
                proposal=proposal,
                at=opened - (5 - i) * day,
            )
        tender = services.tender_close(actor=None, tender=tender, at=tender.bid_deadline)
        tender = services.tender_open(actor=None, tender=tender, at=tender.opening_at)
        services.panel_member_create(
            actor=None, tender=tender, expert=Expert.objects.get(user__username="expert.chen"), is_chair=True
        )


if __name__ == "__main__":
    main()
