"""The six journeys of the people Uplift serves, in a real browser against the Hubei demo.

Each journey signs in as a demo user, works through the pages as that person would (following
links and buttons, never typing a URL it could not see), checks what the page says back, and saves
screenshots under ``test-artifacts/e2e/``. ``conftest.py`` explains the server; ``prepare.py``
what the demo gains for the journeys (a tender open for bids, one waiting for expert.chen).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def main(page: Page):
    return page.locator("main")


def menu(page: Page, name: str) -> None:
    """Follow the link ``name`` of the side navigation."""
    page.locator("#sidenav").get_by_role("link", name=name, exact=True).click()


def step(page: Page, label: str) -> None:
    """Press the workflow step ``label`` on a record's page: a button runs it at once; a link
    opens its page (inputs, or a confirmation for an irreversible step) for the caller."""
    main(page).locator(".page-header").locator(f"a:text-is('{label}'), button:text-is('{label}')").click()


def open_work_item(page: Page, label: str) -> None:
    """Follow the count of the "my work" item ``label`` to the list it counts."""
    menu(page, "我的待办")
    count = main(page).locator(".work-item", has_text=label).locator(".value a")
    number = int(count.inner_text().replace(",", ""))
    assert number > 0, f"nothing waits under {label!r}"
    count.click()
    expect(main(page)).to_contain_text(f"{number:,} 条记录")


def test_province_officer_reviews_the_dashboard_and_drills_into_a_number(journey):
    page = journey.as_user("hubei.officer")
    # A province's officer lands on the programme dashboard.
    expect(page).to_have_url(re.compile(r"/programmes/hubei-2018/dashboard/$"))
    # The benchmark enterprises raised (the target is 100).
    benchmarks = main(page).locator("a[href$='?benchmark_in=hubei-2018']").first
    figure = benchmarks.inner_text()
    assert int(figure) >= 100
    journey.shot(page, "dashboard")
    benchmarks.click()
    # The figure is the number of records its list holds.
    expect(page).to_have_url(re.compile(r"/registry/enterprises/\?benchmark_in=hubei-2018$"))
    expect(main(page)).to_contain_text(f"{figure} 条记录")
    journey.shot(page, "benchmark-enterprises")
    # And one of them, with what the programme did for it.
    main(page).locator("table tbody a").first.click()
    expect(main(page)).to_contain_text("统一社会信用代码")
    journey.shot(page, "enterprise")


def test_city_officer_approves_an_activity(journey):
    page = journey.as_user("huanggang.officer")
    # Everyone else lands on what waits for them.
    expect(page.locator("h1")).to_have_text("我的待办")
    journey.shot(page, "my-work")
    open_work_item(page, "待审核的活动")
    main(page).locator("table tbody a").first.click()
    expect(main(page)).to_contain_text("已提交")
    topic = page.locator("h1").inner_text()
    step(page, "审核通过")
    # An irreversible step asks first.
    main(page).get_by_role("button", name="确认：审核通过").click()
    expect(page.locator(".messages")).to_contain_text("审核通过")
    expect(main(page).locator("dl")).to_contain_text("已审核通过")
    expect(page.locator("h1")).to_have_text(topic)
    journey.shot(page, "approved")
    # Printed, the record keeps its content and drops the navigation and the buttons.
    page.emulate_media(media="print")
    expect(page.locator("#sidenav")).to_be_hidden()
    expect(main(page).locator(".page-header .btn").first).to_be_hidden()
    expect(main(page).locator("dl")).to_be_visible()
    assert journey.pdf(page, "approved").read_bytes().startswith(b"%PDF")


def test_institution_submits_a_bid_and_logs_an_activity_with_participants(journey):
    page = journey.as_user("qichun.institution")
    open_work_item(page, "正在接受投标的招标")
    main(page).get_by_role("link", name="HBZB-2019-01").click()
    journey.shot(page, "tender")
    main(page).get_by_role("link", name="对此标段投标").first.click()
    page.get_by_label("投标报价（元）").fill("285000")
    page.get_by_label("投标方案").fill("蕲艾产业集群品质提升二期服务方案：企业调研30家，标准制修订3项。")
    main(page).get_by_role("button", name="保存").click()
    # The receipt: what was sealed, and its SHA-256 commitment.
    expect(main(page)).to_contain_text(re.compile(r"[0-9a-f]{64}"))
    journey.shot(page, "bid-receipt")

    # An activity of the project in progress, with the firms on its sign-in sheet.
    codes = [
        row["credit_code"]
        for row in page.request.get("/api/registry/enterprises/?q=蕲春&page_size=3").json()["results"]
    ]
    menu(page, "活动")
    main(page).get_by_role("link", name="新增活动").click()
    page.get_by_label("服务项目").select_option(label="蕲春蕲艾企业标准提升服务（补充服务协议）")
    page.get_by_label("类型").select_option(label="培训")
    page.get_by_label("日期").fill("2018-12-28")
    page.get_by_label("地点").fill("蕲春县李时珍医药工业园会议室")
    page.get_by_label("主题").fill("蕲艾制品标签标识规范培训")
    page.get_by_label("行政区划").select_option("421126")
    main(page).get_by_role("button", name="保存").click()
    expect(main(page)).to_contain_text("草稿")
    main(page).get_by_role("link", name="添加参与企业").click()
    page.get_by_label("参与企业").fill("\n".join(f"{code} 2" for code in codes))
    main(page).get_by_role("button", name="添加参与企业").click()
    expect(main(page)).to_contain_text(f"{len(codes)}家企业")
    step(page, "提交审核")
    expect(main(page).locator("dl")).to_contain_text("已提交")
    journey.shot(page, "activity-submitted")


def test_expert_scores_the_bids(journey):
    page = journey.as_user("expert.chen")
    open_work_item(page, "待您申报利益冲突的评标席位")
    # The seat on the panel of the tender whose bids were opened (prepare.py's HBZB-2019-02).
    main(page).locator("tbody tr", has_text="HBZB-2019-02").locator("a").first.click()
    main(page).get_by_role("link", name="申报利益冲突（回避）").click()
    # No tie to any bidder: leave every box clear.
    main(page).get_by_role("button", name="申报利益冲突（回避）").click()
    main(page).get_by_role("link", name="评分", exact=True).click()
    journey.shot(page, "score-sheet")
    points = main(page).locator("input[name^='p-']")
    ranges = main(page).locator("thead th").all_inner_texts()
    assert points.count() == 9, ranges  # three bids, three criteria besides price
    for i in range(points.count()):
        points.nth(i).fill(str([32, 16, 8][i % 3]))
    # Submitting cannot be undone: the browser asks first.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    main(page).get_by_role("button", name="提交评分").click()
    expect(page.locator(".messages")).to_contain_text("评分已提交")
    assert "不能再修改" in asked[0]
    expect(main(page).locator("dl")).to_contain_text("已提交")
    journey.shot(page, "submitted")


def test_enterprise_files_a_service_request_and_rates_the_answer(journey):
    firm = journey.as_user("wuhan.enterprise")
    menu(firm, "服务需求")
    main(firm).get_by_role("link", name="新增服务需求").click()
    # The keyboard's first stop skips the navigation to the content.
    firm.keyboard.press("Tab")
    expect(firm.locator(".skip-link")).to_be_focused()
    # A request that says nothing is refused: the browser stops an empty field, the server one of
    # blanks, with the message on the field; nothing is written.
    main(firm).get_by_role("button", name="保存").click()
    assert firm.get_by_label("名称").evaluate("field => !field.validity.valid")
    firm.get_by_label("主题").select_option(label="计量")
    firm.get_by_label("名称").fill("速冻食品生产线电子秤检定")
    firm.get_by_label("说明").fill("   ")
    main(firm).get_by_role("button", name="保存").click()
    expect(main(firm).locator("form")).to_contain_text("该字段是必填项")
    expect(firm).to_have_url(re.compile(r"/servicedesk/requests/add/$"))
    firm.get_by_label("说明").fill("新购置的三台电子台秤需要首次检定，请告知送检流程和费用。")
    firm.get_by_label("名称").fill("速冻食品生产线电子秤检定")
    firm.get_by_label("名称").press("Enter")  # the keyboard submits the form
    expect(main(firm)).to_contain_text("岱家山品质服务站")
    request_url = firm.url
    journey.shot(firm, "filed")

    station = journey.as_user("daijiashan.station")
    open_work_item(station, "待受理的服务需求")
    main(station).get_by_role("link", name="速冻食品生产线电子秤检定").click()
    step(station, "受理")
    expect(main(station).locator("dl")).to_contain_text("已受理")
    step(station, "开始办理")
    step(station, "答复")
    station.get_by_label("给企业的答复").fill(
        "电子台秤可送武汉市计量检定测试院检定，本站可代为预约，费用按物价标准收取。"
    )
    main(station).locator("form").get_by_role("button", name=re.compile("答复")).click()
    expect(main(station).locator("dl")).to_contain_text("已答复")
    journey.shot(station, "answered")

    # The enterprise is told, reads the answer and rates it.
    firm.goto(request_url)
    expect(main(firm).locator("dl")).to_contain_text("计量检定测试院")
    step(firm, "办结并评价")
    firm.get_by_label("5 — 非常满意").check()
    firm.get_by_label("意见").fill("答复及时，流程清楚。")
    main(firm).locator("form").get_by_role("button", name=re.compile("办结并评价")).click()
    expect(main(firm).locator("dl")).to_contain_text("已办结")
    journey.shot(firm, "rated")


def test_the_public_opens_the_bulletin(journey):
    page = journey.as_user(None)
    page.goto("/public/bulletin/")
    expect(main(page)).to_contain_text("共 12 个项目评定等次")
    page.get_by_label("验收等次").select_option(label="优秀")
    main(page).get_by_role("button", name="筛选").click()
    expect(main(page)).to_contain_text("共 3 个项目评定等次")
    # Xiantao's lot went to the Shanghai company, graded Excellent.
    expect(main(page).locator("tr", has_text="仙桃休闲女装")).to_contain_text("上海天祥品质技术服务有限公司")
    journey.shot(page, "bulletin")

    # On a tablet the page fits the screen: the table scrolls inside its card, the page does not.
    tablet = journey.as_user(None, viewport=journey.TABLET)
    tablet.goto("/public/bulletin/")
    assert tablet.evaluate("document.documentElement.scrollWidth") <= journey.TABLET["width"]
    journey.shot(tablet, "bulletin-tablet")
