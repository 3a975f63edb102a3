"""Browser journeys: Playwright drives Debian's Chromium against the Hubei demo served on loopback.

For this package the fixtures build the demo once into its own embedded database, as ``make demo``
does (about two minutes), add what ``prepare.py`` adds, serve it with ``uplift runserver`` on a
free port of 127.0.0.1, and stop the server when the package's tests are done. The database is
always the embedded SQLite one, whatever ``DATABASE_URL`` says: the journeys test the product as a
user meets it, and the page tests already run on both databases.

To drive a server you already run instead (faster while writing a journey):
``UPLIFT_E2E_BASE=http://127.0.0.1:8000 .venv/bin/pytest tests/e2e`` after ``make demo`` and
``python tests/e2e/prepare.py`` against the same database.

Each journey saves numbered screenshots in ``test-artifacts/e2e/<journey>/``
(``UPLIFT_TEST_ARTIFACTS`` moves the folder). When one fails, the pages it was on are saved there
too, as PNG and HTML, and the report names the files. Needs Debian's ``chromium`` (``make test``
installs it when it runs as root) and never a downloaded browser; without it the journeys skip,
saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("UPLIFT_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "e2e"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Uplift-demo-2018"  # the demo's logins (uplift/accounts/demo.py)

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is in the test extra")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="package")
def base_url() -> Iterator[str]:
    """The address of a server holding the demo and the journeys' data, started here unless
    ``UPLIFT_E2E_BASE`` names one already running."""
    given = os.environ.get("UPLIFT_E2E_BASE")
    if given:
        yield given.rstrip("/")
        return
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make test does, as root)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="uplift-e2e-"))
    env = {
        **os.environ,
        "UPLIFT_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'uplift.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "uplift.settings",
        "DEBUG": "",
    }
    log_path = ARTIFACTS / "server.log"
    manage = [sys.executable, "-m", "uplift.manage"]
    with open(log_path, "w") as log:

        def run(*command: str) -> None:
            done = subprocess.run(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=1200
            )
            if done.returncode:
                pytest.fail(f"{' '.join(command[1:])} failed; see {log_path}", pytrace=False)

        run(*manage, "demo", "--load-only", "--verbosity", "0")
        run(sys.executable, str(Path(__file__).with_name("prepare.py")))
        port = _free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _answers(f"{base}/accounts/login/"):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the journey server did not start; see {log_path}", pytrace=False)
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)
            shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="package")
def browser(base_url: str) -> Iterator[playwright_api.Browser]:
    """Debian's Chromium, headless, for this package only (Playwright's event loop must not outlive
    it: the database tests after it run synchronous Django)."""
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


class Journey:
    """One journey's people: ``as_user(name)`` opens a browser page signed in as that demo user
    (``None``: the public), and ``shot(page, name)`` saves the page under ``test-artifacts/e2e``."""

    def __init__(self, browser: playwright_api.Browser, base_url: str, name: str) -> None:
        self.browser, self.base_url, self.name = browser, base_url, name
        self.pages: list[playwright_api.Page] = []
        self.shots = 0
        (ARTIFACTS / name).mkdir(parents=True, exist_ok=True)

    LAPTOP = {"width": 1280, "height": 900}
    TABLET = {"width": 768, "height": 1024}

    def as_user(
        self, username: str | None, *, locale: str = "zh-CN", viewport: dict | None = None
    ) -> playwright_api.Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport=viewport or self.LAPTOP, locale=locale
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        self.pages.append(page)
        if username:
            page.goto("/accounts/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(lambda url: "/accounts/login" not in url)
        return page

    def shot(self, page: playwright_api.Page, name: str) -> Path:
        """Save the whole page as ``test-artifacts/e2e/<journey>/<n>-<name>.png``."""
        self.shots += 1
        path = ARTIFACTS / self.name / f"{self.shots}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    def pdf(self, page: playwright_api.Page, name: str) -> Path:
        """Print the page to ``test-artifacts/e2e/<journey>/<n>-<name>.pdf`` (A4, print styles)."""
        self.shots += 1
        path = ARTIFACTS / self.name / f"{self.shots}-{name}.pdf"
        page.pdf(path=path, format="A4")
        return path

    def keep_failure(self) -> list[Path]:
        """Save every page of a failed journey as it was (PNG and HTML)."""
        kept = []
        for i, page in enumerate(self.pages, start=1):
            if page.is_closed():
                continue
            stem = ARTIFACTS / self.name / f"FAILED-{i}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            except playwright_api.Error:
                continue
            kept += [Path(f"{stem}.png"), Path(f"{stem}.html")]
        return kept


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: playwright_api.Browser, base_url: str
) -> Iterator[Journey]:
    trip = Journey(browser, base_url, request.node.name.removeprefix("test_"))
    yield trip
    for page in trip.pages:
        page.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed journey keeps its pages as they were, and its report says where they are."""
    report = yield
    trip = getattr(item, "funcargs", {}).get("journey")
    if report.when == "call" and report.failed and isinstance(trip, Journey):
        kept = trip.keep_failure()
        urls = [p.url for p in trip.pages if not p.is_closed()]
        report.sections.append(
            ("journey", "pages at the failure: " + ", ".join(urls) + "\nsaved: " + ", ".join(map(str, kept)))
        )
    return report
