"""The public tender pages: open to anyone, never showing a sealed bid or who asked a question."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from uplift.core.money import yuan
from uplift.procurement import services
from uplift.procurement.choices import CriterionKind
from uplift.procurement.testing import PRICES, TenderScenario, at
from uplift.reports import views

LIST = "/public/tenders/"


def detail(reference: str) -> str:
    return f"/public/tenders/{reference}/"


def make_tender(w, reference: str, *, publish: bool = True, title: str = "蕲春蕲艾品质提升服务采购"):
    """A one-lot tender of the World's Hubei programme, published on 2018-05-01 unless asked not to."""
    tender = services.tender_create(
        actor=w.officer,
        programme=w.programme_in,
        reference=reference,
        title=title,
        clarification_deadline=at(5, 10),
        bid_deadline=at(5, 20),
        opening_at=at(5, 20, 9, 30),
    )
    services.lot_create(
        actor=w.officer,
        tender=tender,
        number=1,
        pilot=w.pilot_in,
        title="蕲艾试点服务",
        budget_ceiling=200000,
    )
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.PRICE, name="价格", weight=40
    )
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.TECHNICAL, name="技术方案", weight=60
    )
    if publish:
        tender = services.tender_publish(actor=w.officer, tender=tender, at=at(5, 1))
    return tender


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def money(amount) -> set[str]:
    """The ways a page could show an amount: 400,000 (as ¥400,000), 400,000.00, 400000.00, 400000."""
    d = Decimal(amount)
    return {f"{d:,.0f}", f"{d:,.2f}", f"{d:.2f}", f"{d:.0f}"}


@pytest.fixture
def anonymous(client):
    return client


def test_anonymous_visitors_see_the_list_and_the_notice(w, anonymous):
    s = TenderScenario(w, stage="published")
    html = page(anonymous, LIST)
    assert "HBZB-2018-01" in html and s.tender.title in html
    assert f'href="{detail("HBZB-2018-01")}"' in html
    html = page(anonymous, detail("HBZB-2018-01"))
    assert s.tender.title in html
    assert s.lot.title in html and "¥500,000" in html  # the lot and its budget ceiling
    for name in ("价格", "技术方案", "服务方案", "资质与业绩"):
        assert name in html
    # the clarification and bid deadlines, in the reader's format
    assert "10 Mar 2018 09:00" in html and "20 Mar 2018 09:00" in html
    assert "湖北省市场监督管理局" in html  # the buyer
    assert "Sign out" not in html
    assert f'href="{LIST}" class="active"' in page(anonymous, LIST)  # the navigation's link for visitors


def test_a_draft_is_not_public(w, anonymous):
    make_tender(w, "HBZB-2018-02", publish=False)
    never = make_tender(w, "HBZB-2018-03", publish=False)
    services.tender_cancel(actor=w.officer, tender=never, reason="草稿作废")
    assert anonymous.get(detail("HBZB-2018-02")).status_code == 404
    assert anonymous.get(detail("HBZB-2018-03")).status_code == 404  # cancelled before it was published
    assert anonymous.get(detail("NO-SUCH-TENDER")).status_code == 404
    html = page(anonymous, LIST)
    assert "HBZB-2018-02" not in html and "HBZB-2018-03" not in html


@pytest.mark.parametrize("stage", ["bids", "closed"])
def test_before_the_opening_no_bid_shows(w, anonymous, stage):
    s = TenderScenario(w, stage=stage)
    html = page(anonymous, detail("HBZB-2018-01"))
    for price in PRICES.values():
        assert not money(price) & set(re.findall(r"[\d,.]+", html)), price
    for bidder in s.bidders.values():
        assert bidder.name not in html and bidder.credit_code not in html
    for bid in s.bids.values():
        assert bid.commitment[:32] not in html and bid.commitment[32:] not in html
    assert 'id="opening"' not in html and "Opening record" not in html
    assert 'id="result"' not in html


def test_the_opening_record_shows_prices_commitments_and_disqualifications(w, anonymous):
    s = TenderScenario(w, stage="opened")
    services.bid_disqualify(actor=w.officer, bid=s.bids["B"], reason="营业执照已过期")
    html = page(anonymous, detail("HBZB-2018-01"))
    assert 'id="opening"' in html
    for letter, price in PRICES.items():
        assert yuan(price) in html
        assert s.bidders[letter].name in html
        commitment = s.bids[letter].commitment  # shown whole, with a line-break opportunity halfway
        assert f"{commitment[:32]}<wbr>{commitment[32:]}" in html
    assert "营业执照已过期" in html and "Disqualified" in html
    assert 'id="result"' not in html  # not awarded yet


def test_the_award_result_shows_winner_amount_and_ranking(w, anonymous):
    s = TenderScenario(w, stage="awarded")
    html = page(anonymous, detail("HBZB-2018-01"))
    result = html[html.index('id="result"') :]
    assert s.bidders["A"].name in result
    assert "¥400,000" in result  # the award amount
    for total in ("90.16", "90.00", "83.00"):  # the ranking's totals
        assert total in result
    assert result.index("90.16") < result.index("90.00") < result.index("83.00")


def test_answered_questions_are_shown_without_who_asked(w, anonymous):
    tender = make_tender(w, "HBZB-2018-02")
    asked = services.clarification_create(
        actor=None, tender=tender, question="服务期是否包含验收？", asked_by=w.inst_in, at=at(5, 3)
    )
    services.clarification_answer(actor=w.officer, clarification=asked, answer="包含验收。", at=at(5, 4))
    services.clarification_create(
        actor=None, tender=tender, question="尚未回答的问题", asked_by=w.inst_in, at=at(5, 5)
    )
    html = page(anonymous, detail("HBZB-2018-02"))
    assert "服务期是否包含验收？" in html and "包含验收。" in html
    assert "尚未回答的问题" not in html
    assert w.inst_in.name not in html and w.inst_in.credit_code not in html


def test_markup_in_a_title_is_escaped(w, anonymous):
    make_tender(w, "HBZB-2018-02", title='<script>alert("x")</script><b>粗体</b>')
    for url in (LIST, detail("HBZB-2018-02")):
        html = page(anonymous, url)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert '<script>alert("x")' not in html and "<b>粗体</b>" not in html


def test_no_inline_script_or_style(w, anonymous):
    TenderScenario(w, stage="awarded")
    for url in (LIST, detail("HBZB-2018-01")):
        html = page(anonymous, url)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert " style=" not in html and "<style" not in html


def test_the_list_filters_and_pages(w, anonymous, monkeypatch):
    TenderScenario(w, stage="awarded")
    make_tender(w, "HBZB-2018-02")
    cancelled = make_tender(w, "HBZB-2018-03")
    services.tender_cancel(actor=w.officer, tender=cancelled, reason="预算调整")
    html = page(anonymous, LIST)
    # Newest first: published 2018-05-01 (02 and 03, the later created first), then 2018-03-01.
    assert html.index("HBZB-2018-03") < html.index("HBZB-2018-02") < html.index("HBZB-2018-01")
    html = page(anonymous, LIST + "?status=awarded")
    assert "HBZB-2018-01" in html and "HBZB-2018-02" not in html and "HBZB-2018-03" not in html
    html = page(anonymous, LIST + "?status=cancelled&programme=hubei-2018")
    assert "HBZB-2018-03" in html and "HBZB-2018-01" not in html
    html = page(anonymous, LIST + "?programme=hunan-2018")  # no published tender: not a choice
    assert "HBZB-2018-01" in html  # an invalid filter is ignored, not an error
    html = page(anonymous, LIST + "?status=awarded&programme=nowhere")
    assert "HBZB-2018-01" in html and "HBZB-2018-02" not in html  # the valid filter still applies
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = page(anonymous, LIST)
    assert "HBZB-2018-03" in first and "HBZB-2018-01" not in first and "?page=2" in first
    second = page(anonymous, LIST + "?page=2")
    assert "HBZB-2018-01" in second and "HBZB-2018-03" not in second


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page(client, url)
    return len(ctx)


def test_the_list_does_not_query_per_row(w, anonymous):
    make_tender(w, "HBZB-2018-01")
    one = _queries(anonymous, LIST)
    make_tender(w, "HBZB-2018-02")
    make_tender(w, "HBZB-2018-03")
    assert _queries(anonymous, LIST) == one


def test_the_notice_does_not_query_per_row(w, anonymous):
    """The same number of queries for one lot, bid and question as for several of each."""
    small = make_tender(w, "HBZB-2018-02")
    q = services.clarification_create(
        actor=None, tender=small, question="问题一", asked_by=w.inst_in, at=at(5, 3)
    )
    services.clarification_answer(actor=w.officer, clarification=q, answer="回答一", at=at(5, 4))
    s = TenderScenario(w, stage="awarded")  # two lots, four bids, ranked
    baseline = _queries(anonymous, detail("HBZB-2018-01"))
    assert _queries(anonymous, detail("HBZB-2018-02")) <= baseline
    big = make_tender(w, "HBZB-2018-03")
    for i in range(3):
        q = services.clarification_create(
            actor=None, tender=big, question=f"问题{i}", asked_by=w.inst_in, at=at(5, 3)
        )
        services.clarification_answer(actor=w.officer, clarification=q, answer=f"回答{i}", at=at(5, 4))
    assert _queries(anonymous, detail("HBZB-2018-03")) == _queries(anonymous, detail("HBZB-2018-02"))
    assert s.tender.awarded_at is not None
