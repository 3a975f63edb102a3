"""Dates read as each language writes them: 2018年6月1日 in Chinese, 1 June 2018 in English (not
Django's American "June 1, 2018"); spreadsheets and the API keep ISO 8601 whatever the language."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from python_calamine import CalamineWorkbook

from uplift.servicedesk import services

pytestmark = pytest.mark.django_db

DAY = datetime.date(2018, 6, 1)
MOMENT = datetime.datetime(2018, 6, 1, 9, 30)


@pytest.mark.parametrize(
    ("language", "date", "moment", "short", "short_moment"),
    [
        ("en", "1 June 2018", "1 June 2018 09:30", "1 Jun 2018", "1 Jun 2018 09:30"),
        ("zh-hans", "2018年6月1日", "2018年6月1日 09:30", "2018年6月1日", "2018年6月1日 09:30"),
        ("zh-hant", "2018年6月1日", "2018年6月1日 09:30", "2018年6月1日", "2018年6月1日 09:30"),
    ],
)
def test_each_language_writes_dates_its_own_way(language, date, moment, short, short_moment):
    with override(language):
        assert date_format(DAY, "DATE_FORMAT") == date
        assert date_format(MOMENT, "DATETIME_FORMAT") == moment
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_moment


@pytest.mark.parametrize(
    ("language", "start", "filed"),
    [("en", "1 January 2018", "1 June 2018 09:30"), ("zh-hans", "2018年1月1日", "2018年6月1日 09:30")],
)
def test_pages_show_dates_in_the_readers_language(w, client, language, start, filed):
    request = services.request_create(
        actor=None,
        enterprise=w.ent_in,
        topic="testing",
        title="检测",
        description="需要检测",
        at=timezone.make_aware(MOMENT),
    )
    client.force_login(w.officer)
    client.cookies["django_language"] = language
    page = client.get(reverse("programmes:programme_detail", args=[w.programme_in.pk])).content.decode()
    assert start in page and "January 1, 2018" not in page
    page = client.get(reverse("servicedesk:servicerequest_detail", args=[request.pk])).content.decode()
    assert filed in page and "a.m." not in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_exports_and_the_api_keep_iso_dates(w, client, language):
    request = services.request_create(
        actor=None,
        enterprise=w.ent_in,
        topic="testing",
        title="检测",
        description="需要检测",
        at=timezone.make_aware(MOMENT),
    )
    client.force_login(w.officer)
    client.cookies["django_language"] = language
    response = client.get(reverse("programmes:programme_list"), {"export": "xlsx"})
    body = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    cells = {str(cell) for row in rows[1:] for cell in row}
    assert "2018-01-01" in cells and not any("2018年" in c or "January" in c for c in cells)
    api = client.get(reverse("api:programme-detail", args=[w.programme_in.slug])).json()
    assert api["start_date"] == "2018-01-01"
    api = client.get(reverse("api:servicerequest-detail", args=[request.pk])).json()
    assert api["filed_at"].startswith("2018-06-01T09:30:00")
