"""What every generic page adds around its records: breadcrumbs along the navigation, an empty
list that says what to do, confirmation before a step that cannot be undone, money and dates in
the reader's formats, and forms whose errors link to their fields."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from uplift.core.views import ObjectViews


def crumbs(html: str) -> list[str]:
    """The breadcrumbs' texts, in order."""
    trail = html[html.index('<ol class="breadcrumbs">') : html.index("</ol>")]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_breadcrumbs_follow_the_navigation_from_list_to_record_to_edit(w):
    client = signed_in(w.officer)
    programme = w.programme_in
    html = client.get(reverse("programmes:programme_list")).content.decode()
    assert crumbs(html) == ["Home", "Programmes"]  # the section and the list share a name: once
    html = client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode()
    assert crumbs(html) == ["Home", "Programmes", str(programme)]
    assert f'<a href="{reverse("programmes:programme_list")}">Programmes</a>' in html
    assert f'<span aria-current="page">{programme}</span>' in html
    html = client.get(reverse("programmes:programme_edit", args=[programme.pk])).content.decode()
    assert crumbs(html) == ["Home", "Programmes", str(programme), "Edit"]
    assert f'<a href="{programme.get_absolute_url()}">{programme}</a>' in html
    html = client.get(reverse("registry:enterprise_list")).content.decode()
    assert crumbs(html) == ["Home", "Registry", "Enterprises"]  # the navigation's section


@pytest.mark.django_db
def test_a_record_reached_from_its_parent_has_the_parent_in_its_breadcrumbs(w):
    from uplift.procurement import services
    from uplift.procurement.testing import TenderScenario

    s = TenderScenario(w, stage="contract")
    milestone = services.milestone_create(
        actor=w.officer,
        contract=s.contract,
        title="调研报告",
        due_date=datetime.date(2018, 6, 30),
        amount=100000,
    )
    html = signed_in(w.officer).get(milestone.get_absolute_url()).content.decode()
    assert crumbs(html) == ["Home", "Procurement", "Contracts", str(s.contract), str(milestone)]
    assert "¥100,000" in html and "30 June 2018" in html  # money and a date, as the reader writes them
    with translation.override("zh-hans"):
        html = signed_in(w.officer).get(milestone.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "2018年6月30日" in html.content.decode()


@pytest.mark.django_db
def test_an_empty_list_offers_to_add_or_import_the_first_record(w):
    html = signed_in(w.officer).get(reverse("inspection:samplinginspection_list")).content.decode()
    assert "No sampling inspections yet." in html
    assert f'href="{reverse("inspection:samplinginspection_add")}"' in html
    assert f'href="{reverse("imports:importrun_add")}?kind=inspections"' in html
    assert 'class="table"' not in html and "Export to Excel" not in html  # nothing to export


@pytest.mark.django_db
def test_an_empty_list_the_user_cannot_add_to_says_where_its_records_come_from(w):
    html = signed_in(w.officer).get(reverse("core:exportrun_list")).content.decode()
    assert "No exports yet." in html and "Export to Excel" in html  # the explanation names the button
    assert reverse("core:exportrun_list") + "add/" not in html and "Import from a spreadsheet" not in html


@pytest.mark.django_db
def test_a_list_emptied_by_its_filters_offers_to_clear_them(w):
    url = reverse("registry:enterprise_list")
    html = signed_in(w.officer).get(url, {"q": "没有这样的企业"}).content.decode()
    assert "No records match these filters." in html
    assert f'<a class="btn btn-secondary" href="{url}">Clear the filters</a>' in html
    assert "yet." not in html
    html = (
        signed_in(w.officer).get(url, {"q": "没有这样的企业", "page": "1", "sort": "name"}).content.decode()
    )
    assert "No records match these filters." in html  # paging and sorting are not filters


@pytest.mark.django_db
def test_every_generic_list_renders_empty_and_filtered(w):
    """No list page breaks on the empty state, whatever its model."""
    client = signed_in(w.officer)
    for spec in ObjectViews.registry:
        meta = spec.model._meta
        if not w.officer.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        url = reverse(f"{meta.app_label}:{meta.model_name}_list")
        response = client.get(url, {"q": "\u2603 nothing at all \u2603"})
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_a_dangerous_step_without_inputs_is_confirmed_on_its_own_page(w, d):
    """Taking an enterprise off an activity was one click: it now opens a page saying what will
    happen, with a red button; only its POST removes."""
    client = signed_in(w.institution_user)
    participation = d.participation
    url = reverse("delivery:participation_remove", args=[participation.pk])
    html = client.get(participation.get_absolute_url()).content.decode()
    assert f'<a class="btn btn-danger" href="{url}">' in html
    assert f'action="{url}"' not in html  # no form that runs it at once
    page = client.get(url).content.decode()
    assert "You are about to: Remove from the activity" in page
    assert "add it again if this was a mistake" in page  # what will happen
    assert "This cannot be undone." not in page  # it can: the enterprise may be added again
    assert 'class="btn btn-danger">Confirm: Remove from the activity</button>' in page
    assert crumbs(page)[-1] == "Remove from the activity"
    assert participation.activity.participations.filter(pk=participation.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not participation.activity.participations.filter(pk=participation.pk).exists()


@pytest.mark.django_db
def test_an_irreversible_step_says_it_cannot_be_undone(w, d):
    client = signed_in(w.officer)
    activity = d.submitted
    url = reverse("delivery:activity_approve", args=[activity.pk])
    html = client.get(activity.get_absolute_url()).content.decode()
    assert f'href="{url}"' in html and f'action="{url}"' not in html
    page = client.get(url).content.decode()
    assert "This cannot be undone." in page
    assert "can no longer be edited" in page
    assert "Confirm: Approve" in page
    activity.refresh_from_db()
    assert activity.status == "submitted"  # showing the page changed nothing
    assert client.post(url).status_code == 302
    activity.refresh_from_db()
    assert activity.status == "approved"


def test_every_dangerous_or_irreversible_step_is_confirmed_and_explained():
    import uplift.urls  # noqa: F401  (every app's declarations)

    steps = [(spec, a) for spec in ObjectViews.registry for a in spec.actions]
    assert steps
    for spec, action in steps:
        if action.danger or action.irreversible:
            assert action.confirmed, (spec.model, action.name)
        if action.irreversible and action.form is None:
            assert action.help, f"{spec.model.__name__}.{action.name} must say what becomes final"
    names = {(spec.model._meta.model_name, a.name) for spec, a in steps if a.irreversible}
    for step in [
        ("tender", "cancel"),
        ("tender", "award"),
        ("bid", "disqualify"),
        ("attachment", "remove"),
        ("importrun", "revert"),
        ("acceptance", "grade"),
    ]:
        assert step in names, step


@pytest.mark.django_db
def test_money_reads_the_same_on_the_list_and_the_record(w, d):
    client = signed_in(w.officer)
    benefit = d.benefit  # 120,000 yuan
    assert "¥120,000" in client.get(reverse("delivery:benefit_list")).content.decode()
    assert "¥120,000" in client.get(benefit.get_absolute_url()).content.decode()
    html = client.get(benefit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "¥120,000" in html and "金额" in html


@pytest.mark.django_db
def test_an_export_keeps_amounts_as_numbers(w, d):
    import io

    from python_calamine import CalamineWorkbook

    response = signed_in(w.officer).get(reverse("delivery:benefit_list"), {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = rows.get_sheet_by_index(0).to_python()
    column = rows[0].index("Amount (yuan)") if "Amount (yuan)" in rows[0] else None
    values = [row[column] for row in rows[1:]] if column is not None else [c for row in rows[1:] for c in row]
    assert 120000 in values and "¥120,000" not in values


@pytest.mark.django_db
def test_a_form_with_errors_lists_them_at_the_top_each_linking_to_its_field(w):
    client = signed_in(w.officer)
    response = client.post(reverse("programmes:programme_add"), {"slug": "", "name": ""})
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert '<a href="#id_slug">' in html and '<a href="#id_name">' in html


@pytest.mark.django_db
def test_the_base_page_has_a_skip_link_and_labelled_landmarks(client):
    html = client.get(reverse("reports:bulletin")).content.decode()
    assert '<a class="skip-link" href="#content">' in html
    assert '<main class="content" id="content" tabindex="-1">' in html
    assert '<nav aria-label="Breadcrumb">' in html
    # On a tablet the navigation folds behind this button, for the public as for officers.
    assert 'data-nav-toggle aria-controls="sidenav"' in html and 'id="sidenav"' in html


@pytest.mark.django_db
def test_a_yes_no_filter_offers_all_yes_and_no(w, d):
    client = signed_in(w.officer)
    with translation.override("zh-hans"):
        page = client.get(reverse("delivery:activity_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    select = re.search(
        r'<select name="awaiting_my_approval"[^>]*>(.*?)</select>', page.content.decode(), re.S
    )
    assert re.findall(r"<option[^>]*>(.*?)</option>", select.group(1)) == ["全部", "是", "否"]
    everything = client.get(reverse("delivery:activity_list"), {"awaiting_my_approval": ""})
    assert everything.status_code == 200
    assert len(everything.context["table"].rows) == len(
        client.get(reverse("delivery:activity_list")).context["table"].rows
    )
