"""The timing loop of the benchmarks: server time of pages through Django's test client."""

from __future__ import annotations

import statistics
import time


def time_pages(pages: list[tuple[str, str]], repeat: int, username: str = "hubei.officer") -> None:
    """Print p50 / p95 (ms) and the query count of each ``(label, url)``, signed in as
    ``username``: one warm-up request, ``repeat`` timed ones, one more counting queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from uplift.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    width = max(len(label) for label, _url in pages) + 2 if pages else 10
    print(f"{'page':{width}} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, url in pages:
        assert client.get(url).status_code == 200, url  # warm up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{label:{width}} {statistics.median(times):8.1f} {p95:8.1f} {len(ctx.captured_queries):8d}",
            flush=True,
        )
