"""Lists never count more than CAP rows (decision 0008): exact below it, an estimate above."""

import pytest

from uplift.core import paging
from uplift.registry.models import Region


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(paging, "CAP", 100)


def test_a_count_within_the_cap_is_exact(db, small_cap):
    qs = Region.objects.filter(code__startswith="4201")
    n = qs.count()
    assert 1 < n <= 100
    paginator = paging.CappedPaginator(qs, 5)
    assert (paginator.count, paginator.exact, paginator.capped) == (n, True, False)
    assert paginator.num_pages == -(-n // 5)


def test_past_the_cap_the_count_is_an_estimate_and_the_pages_end_at_the_cap(db, small_cap):
    qs = Region.objects.all()
    assert qs.count() > 1000
    paginator = paging.CappedPaginator(qs, 30)
    assert paginator.exact is False and paginator.capped
    assert paginator.count > 100  # the planner's estimate on PostgreSQL, CAP + 1 elsewhere
    assert paginator.num_pages == 4  # 100 rows: 30 + 30 + 30 + 10
    assert len(paginator.page(4).object_list) == 10
    with pytest.raises(paging.EmptyPage):
        paginator.page(5)


def test_counting_reads_at_most_cap_plus_one_rows(db, small_cap, django_assert_max_num_queries):
    with django_assert_max_num_queries(2) as ctx:
        paging.capped_count(Region.objects.all())
    count, *rest = [q["sql"] for q in ctx.captured_queries]
    assert "LIMIT 101" in count
    assert all(sql.startswith("EXPLAIN") for sql in rest)  # PostgreSQL's estimate reads no rows


def test_the_list_page_says_the_count_is_estimated(client, w, small_cap):
    client.force_login(w.officer)
    page = client.get("/registry/regions/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "narrow the filters to page past the first 10,000" in text
    assert page.context["table"].paginator.exact is False
    assert client.get("/registry/regions/?within=420100").context["table"].paginator.exact is True


def test_the_api_says_whether_its_count_is_exact(client, w, small_cap):
    client.force_login(w.officer)
    body = client.get("/api/registry/regions/").json()
    assert body["count_exact"] is False and body["count"] > 100
    assert len(body["results"]) == 50


def test_a_first_page_with_room_to_spare_is_the_count(db, django_assert_num_queries):
    qs = Region.objects.filter(code__startswith="4201").order_by("code")
    n = qs.count()
    with django_assert_num_queries(1) as ctx:  # the page, one row longer: no count
        page = paging.CappedPaginator(qs, n + 5).page(1)
        assert (page.paginator.count, page.paginator.exact, len(page.object_list)) == (n, True, n)
    assert "COUNT" not in ctx.captured_queries[0]["sql"]
    # A full first page still counts, and shows exactly a page.
    page = paging.CappedPaginator(qs, 2).page("1")
    assert (page.paginator.count, len(page.object_list), page.has_next()) == (n, 2, True)


def test_a_page_past_the_last_says_which_page_is_shown(client, w, small_cap):
    client.force_login(w.officer)
    page = client.get("/registry/regions/?page=999")
    assert page.status_code == 200 and page.context["page_asked"] == 999
    assert page.context["table"].page.number == 2  # 100 rows, 50 a page
    assert "There is no page 999: page 2 is the last this list shows." in page.content.decode()
    assert "page_asked" not in client.get("/registry/regions/?page=2").context
