"""Before the opening nobody reads a sealed bid: every page, export and API answer, as every role.

The example's bids are in (stage "bids"). For each signed-in user of the World and the scenario,
and for an anonymous visitor, every list (and its xlsx export) and every detail page of every
declared model, every API list and detail, the audit trail and the public pages are fetched, and
none may show another bidder's price or proposal. Only the bidder itself reads its own.
"""

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from python_calamine import CalamineWorkbook

from uplift.api.urls import router
from uplift.core.views import ObjectViews, url_name
from uplift.procurement.models import Bid
from uplift.procurement.testing import PRICES, TenderScenario


def price_patterns(price) -> list[str]:
    whole = int(price)
    return [str(whole), f"{whole:,}", f"{whole:.2f}", f"{whole:,.2f}"]


def body_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        data = b"".join(response.streaming_content)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        return "\n".join(" ".join(str(c) for c in row) for row in rows)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def urls_to_read(bids) -> list[str]:
    urls = []
    for spec in ObjectViews.registry:
        if spec.model._meta.label_lower in ("registry.region", "registry.industry"):
            continue  # reference data: region codes such as 450000 are not prices
        try:
            list_url = reverse(url_name(spec.model, "list"))
        except NoReverseMatch:
            continue
        urls += [list_url, list_url + "?export=xlsx"]
        for pk in spec.model._default_manager.values_list("pk", flat=True)[:50]:
            urls.append(reverse(url_name(spec.model, "detail"), args=[pk]))
    for _prefix, _viewset, basename in router.registry:
        urls.append(reverse(f"api:{basename}-list") + "?page_size=500")
    for bid in bids:
        urls.append(reverse("api:bid-detail", args=[bid.pk]))
        urls.append(reverse("procurement:bid_edit", args=[bid.pk]))
    urls += [reverse("audit:auditentry_list") if _has("audit:auditentry_list") else "/audit/"]
    urls += ["/public/tenders/", "/public/tenders/HBZB-2018-01/"]
    return urls


def _has(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.django_db
def test_no_one_reads_a_sealed_bid_before_the_opening(w):
    s = TenderScenario(w, stage="bids")
    bids = list(Bid.objects.all())
    users = {
        "officer": w.officer,
        "hunan_officer": w.hunan_officer,
        "institution A": s.bidder_users["A"],
        "institution B": s.bidder_users["B"],
        "institution C": s.bidder_users["C"],
        "enterprise": w.enterprise_user,
        "expert": s.expert_users[0],
        "security admin": w.security_admin,
        "audit admin": w.audit_admin,
        "nobody": w.nobody,
        "anonymous": None,
    }
    own = {s.bidder_users[letter].username: letter for letter in PRICES}
    urls = urls_to_read(bids)
    checked = 0
    for who, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        mine = own.get(getattr(user, "username", None))
        secrets = []
        for letter, price in PRICES.items():
            if letter != mine:
                secrets += price_patterns(price) + [f"{letter} 的技术方案"]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (who, url)
            if response.status_code != 200:
                continue
            text = body_of(response)
            for secret in secrets:
                assert not re.search(rf"(?<![\d,.]){re.escape(secret)}(?![\d,])", text), (who, url, secret)
            checked += 1
    assert checked > 200  # the sweep really read pages


def test_there_is_no_admin_site_to_read_bids_through(client):
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    assert client.get("/admin/").status_code == 404


@pytest.mark.django_db
def test_the_bidder_reads_its_own_sealed_bid_and_receipt(w):
    s = TenderScenario(w, stage="bids")
    client = Client()
    client.force_login(s.bidder_users["A"])
    html = client.get(reverse("procurement:bid_detail", args=[s.bids["A"].pk])).content.decode()
    assert "¥400,000" in html and s.bids["A"].salt in html and s.bids["A"].commitment in html
    api = client.get(reverse("api:bid-detail", args=[s.bids["A"].pk])).json()
    assert api["price"] is None and api["receipt"]["commitment"] == s.bids["A"].commitment
    # The bureau sees that a bid exists, and its commitment, but never its salt.
    client.force_login(w.officer)
    html = client.get(reverse("procurement:bid_detail", args=[s.bids["A"].pk])).content.decode()
    assert s.bids["A"].salt not in html and "sealed until the opening" in html
    assert client.get(reverse("api:bid-detail", args=[s.bids["A"].pk])).json()["receipt"] is None
