"""Load: 50 concurrent users for 60 s against gunicorn (2 workers) on the Hubei demo, loopback only.

Usage (``make bench`` does not run it; it needs the demo in PostgreSQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_load .venv/bin/uplift migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_load .venv/bin/uplift demo --load-only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_load .venv/bin/python bench/load.py \
        [--users 50] [--seconds 60] [--workers 2] [--port 8021]

Starts gunicorn serving ``uplift.wsgi`` on 127.0.0.1 (never another host), signs each simulated
user in as one of the demo's people (province and city officers, institution staff, an enterprise
user, an expert) and has them browse what that person uses: the dashboard, lists with filters,
detail pages and the API. Prints p50 / p95 / max per kind of request and every error; exits 1 on
any error. The API's per-user throttle is raised for the run (``API_RATE_USER``): fifty sessions
of five accounts would otherwise meet the production limit, which is a refusal by design, not a
failure under load. Record results in bench/RESULTS.md with the machine and the command.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import gevent  # locust runs on gevent; import it before anything opens sockets
from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.stats import stats_printer  # noqa: F401  (kept importable for interactive use)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Uplift-demo-2018"
PROGRAMME = "hubei-2018"

#: Who browses, in what proportion (mostly officers and institutions, as in the programme), the
#: regions whose dashboard each may open, and the pages and API lists their role may read.
PEOPLE = {
    "hubei.officer": (3, ["", "421100", "429004", "421300"], "all"),
    "huanggang.officer": (3, ["", "421100", "421126"], "all"),
    "qichun.institution": (2, [], ("activities", "participations", "problems", "enterprises", "tenders")),
    "xiantao.enterprise": (1, [], ("activities", "problems", "inspections")),
    "expert.chen": (1, [], ("activities", "problems", "tenders")),
}

#: kind -> (list pages, API list or None, detail page pattern or None)
PAGES = {
    "enterprises": (
        [
            ("/registry/enterprises/", "enterprise list"),
            ("/registry/enterprises/?q=蕲艾", "enterprise list, search"),
        ],
        "/api/registry/enterprises/",
        "/registry/enterprises/{}/",
    ),
    "activities": (
        [("/delivery/activities/", "activity list")],
        "/api/delivery/activities/",
        "/delivery/activities/{}/",
    ),
    "participations": ([("/delivery/participations/", "participation list")], None, None),
    "problems": (
        [("/delivery/problems/?overdue=true", "problem list, overdue")],
        "/api/delivery/problems/",
        None,
    ),
    "inspections": ([("/inspection/inspections/", "inspection list")], None, None),
    "tenders": ([("/procurement/tenders/", "tender list")], None, None),
}


class Person(HttpUser):
    """One signed-in user clicking through their pages, one to three seconds apart."""

    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        names = list(PEOPLE)
        self.username = random.choices(names, weights=[PEOPLE[n][0] for n in names])[0]
        _weight, self.regions, kinds = PEOPLE[self.username]
        self.kinds = list(PAGES) if kinds == "all" else list(kinds)
        page = self.client.get("/accounts/login/", name="sign in (page)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            events.request.fire(
                request_type="POST",
                name="sign in refused",
                response_time=0,
                response_length=0,
                exception=RuntimeError(f"{self.username}: {response.status_code}"),
            )
        self.ids: dict[str, list[int]] = {}

    def _ids(self, api: str) -> list[int]:
        """Ids of records this user may see, from the API's first page (read once per user)."""
        if api not in self.ids:
            response = self.client.get(api, name=f"API {api.split('/')[3]} list")
            data = response.json() if response.ok else {}
            rows = data.get("results", data) if isinstance(data, dict) else data
            self.ids[api] = [r["id"] for r in rows if isinstance(r, dict) and "id" in r]
        return self.ids[api]

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home (dashboard or my work)")

    @task(2)
    def dashboard(self) -> None:
        if self.regions:
            region = random.choice(self.regions)
            url = f"/programmes/{PROGRAMME}/dashboard/" + (f"?region={region}" if region else "")
            self.client.get(url, name="dashboard")
            self.client.get(f"/api/programmes/programmes/{PROGRAMME}/dashboard/", name="API dashboard")

    @task(3)
    def lists(self) -> None:
        url, name = random.choice(PAGES[random.choice(self.kinds)][0])
        self.client.get(url, name=name)

    @task(2)
    def detail(self) -> None:
        kind = random.choice(self.kinds)
        _pages, api, page = PAGES[kind]
        if api and page:
            ids = self._ids(api)
            if ids:
                self.client.get(page.format(random.choice(ids)), name=f"{kind} detail")

    @task(2)
    def api(self) -> None:
        kind = random.choice([k for k in self.kinds if PAGES[k][1]] or ["activities"])
        self.client.get(PAGES[kind][1], name=f"API {kind}")

    @task(1)
    def work(self) -> None:
        self.client.get("/work/", name="my work")

    @task(1)
    def bulletin(self) -> None:
        self.client.get("/public/bulletin/", name="grade bulletin (public)")


def serve(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_RATE_USER": "1000000/minute",
        "API_RATE_ANON": "1000000/minute",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "uplift.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
    )
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer on the port")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--warmup", type=int, default=20, help="seconds of signing in and browsing before the timing starts"
    )
    parser.add_argument("--port", type=int, default=8021)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database holding the demo (see the docstring).")

    server = serve(args.port, args.workers)
    try:
        env = Environment(user_classes=[Person], host=f"http://127.0.0.1:{args.port}")
        runner = env.create_local_runner()
        runner.start(args.users, spawn_rate=min(args.users, 10))
        if args.warmup:
            # The sign-ins (a deliberately slow password hash each) crowd the first seconds: time
            # the browsing after them. The sign-ins are timed in the run with --warmup 0.
            gevent.spawn_later(args.warmup, env.stats.reset_all)
        gevent.spawn_later(args.warmup + args.seconds, runner.quit)
        runner.greenlet.join()
        stats = env.stats
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"{args.users} users, {args.seconds} s timed after {args.warmup} s of warm-up, "
        f"gunicorn {args.workers} workers, 127.0.0.1:{args.port}"
    )
    print(f"{'request':42} {'n':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'errors':>6}")

    def line(name: str, entry) -> str:
        p50, p95 = entry.get_response_time_percentile(0.5), entry.get_response_time_percentile(0.95)
        return (
            f"{name[:42]:42} {entry.num_requests:6d} {p50:7.0f} {p95:7.0f} "
            f"{entry.max_response_time:7.0f} {entry.num_failures:6d}"
        )

    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        print(line(entry.name, entry))
    total = stats.total
    print(line("all", total))
    print(f"throughput {total.total_rps:.1f} requests/s")
    for error in stats.errors.values():
        print(f"ERROR {error.method} {error.name}: {error.error} ×{error.occurrences}")
    return 1 if total.num_failures else 0


if __name__ == "__main__":
    sys.exit(main())
