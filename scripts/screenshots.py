"""Take the README's screenshots from a running demo (``uplift demo``) with Debian's Chromium.

Usage: ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py [--base URL] [NAME ...]``).
Each shot logs in as a demo user, opens a page and saves ``docs/screenshots/<name>.png``. Pages
that depend on demo records are found through the API as that user, so the script follows the
data rather than hard-coded ids. Needs the ``dev`` extra and ``apt-get install chromium
fonts-noto-cjk``; never a downloaded browser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "Uplift-demo-2018"
CHROMIUM = "/usr/bin/chromium"


def first(page: Page, base: str, path: str) -> dict:
    """The first record an API list returns to the logged-in user."""
    response = page.request.get(f"{base}/api/{path}")
    assert response.ok, (path, response.status)
    results = response.json()["results"]
    assert results, f"no record at {path}"
    return results[0]


def project_page(page: Page, base: str) -> str:
    return f"/delivery/projects/{first(page, base, 'delivery/projects/?q=蕲春蕲艾产业集群')['id']}/"


def participants_page(page: Page, base: str) -> str:
    draft = first(page, base, "delivery/activities/?status=draft&q=补充服务协议")
    return f"/delivery/activities/{draft['id']}/participants/"


def submitted_activity(page: Page, base: str) -> str:
    return f"/delivery/activities/{first(page, base, 'delivery/activities/?status=submitted')['id']}/"


def solved_problem(page: Page, base: str) -> str:
    return f"/delivery/problems/{first(page, base, 'delivery/problems/?status=closed&q=汉川')['id']}/"


def returned_activity(page: Page, base: str) -> str:
    return f"/delivery/activities/{first(page, base, 'delivery/activities/?status=returned')['id']}/"


def own_review(page: Page, base: str) -> str:
    return f"/delivery/reviews/{first(page, base, 'delivery/reviews/?q=蕲春蕲艾产业集群')['id']}/"


def hanchuan_rates(page: Page, base: str) -> str:
    cluster = first(page, base, "registry/clusters/?q=汉川")["id"]
    periods = "before_from=2017-01-01&before_to=2017-12-31&after_from=2018-01-01&after_to=2018-12-31"
    return f"/inspection/rates/?by=category&cluster={cluster}&{periods}"


def suizhou_sales(page: Page, base: str) -> str:
    row = first(page, base, "indicators/indicators/?q=随州&kind=sales_revenue&year=2018")
    return f"/indicators/indicators/{row['id']}/"


def graded_acceptance(page: Page, base: str) -> str:
    return f"/delivery/acceptances/{first(page, base, 'delivery/acceptances/?status=published')['id']}/"


def own_self_assessment(page: Page, base: str) -> str:
    return f"/excellence/self-assessments/{first(page, base, 'excellence/self-assessments/')['id']}/"


def expert_assessment(page: Page, base: str) -> str:
    row = first(page, base, "excellence/expert-assessments/?status=completed")
    return f"/excellence/expert-assessments/{row['id']}/"


def feedback_report(page: Page, base: str) -> str:
    row = first(page, base, "excellence/expert-assessments/?status=completed")
    return f"/excellence/expert-assessments/{row['id']}/feedback/"


def candidates_page(page: Page, base: str) -> str:
    programme = first(page, base, "programmes/programmes/?q=hubei-2018")["id"]
    return f"/excellence/benchmark-candidates/?programme={programme}&on=2018-12-03"


def framework_page(page: Page, base: str) -> str:
    return f"/excellence/frameworks/{first(page, base, 'excellence/frameworks/')['id']}/"


def checked_import(page: Page, base: str) -> str:
    return f"/imports/{first(page, base, 'imports/?status=checked')['id']}/"


def written_export(page: Page, base: str) -> str:
    """Export the province's participations (more rows than a request writes at once): the list
    sends the officer to the export, which the demo's worker writes; wait until it is."""
    import time

    page.goto(f"{base}/delivery/participations/?export=xlsx")
    page.wait_for_load_state("networkidle")
    export_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    for _ in range(120):
        answer = page.request.get(f"{base}/api/exports/{export_id}/").json()
        if answer["status"] in ("done", "failed"):
            break
        time.sleep(1)
    return f"/exports/{export_id}/"


#: name -> (user, page path or a function finding it); user None: the public, not signed in
SHOTS: dict[str, tuple[str | None, str | Callable[[Page, str], str]]] = {
    "7-service-project": ("qichun.institution", project_page),
    "8-participants": ("qichun.institution", participants_page),
    "9-activity-approval": ("hubei.officer", submitted_activity),
    "10-problem": ("hubei.officer", solved_problem),
    "11-acceptance": ("hubei.officer", graded_acceptance),
    "12-bulletin": (None, "/public/bulletin/"),
    "13-evidence": ("qichun.institution", returned_activity),
    "14-expert-review": ("expert.chen", own_review),
    "15-files": ("hubei.officer", "/files/"),
    "16-pass-rates": ("hubei.officer", hanchuan_rates),
    "17-growth": ("hubei.officer", suizhou_sales),
    "18-dashboard": ("hubei.officer", "/programmes/hubei-2018/dashboard/"),
    "19-self-assessment": ("xiantao.enterprise", own_self_assessment),
    "20-framework": ("hubei.officer", framework_page),
    "21-expert-assessment": ("hubei.officer", expert_assessment),
    "22-feedback": ("hubei.officer", feedback_report),
    "23-benchmark-candidates": ("hubei.officer", candidates_page),
    "24-public-benchmarks": (None, "/public/benchmarks/"),
    "25-import-checked": ("huanggang.officer", checked_import),
    "26-import-add": ("huanggang.officer", "/imports/add/"),
    "27-export": ("hubei.officer", written_export),
}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("names", nargs="*", help="shots to take (all by default)")
    args = parser.parse_args()
    names = args.names or list(SHOTS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        for name in names:
            user, where = SHOTS[name]
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = context.new_page()
            if user:
                log_in(page, args.base, user)
            path = where(page, args.base) if callable(where) else where
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
            print(f"{name}: {path} as {user or 'the public'}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
