"""The Hubei demo reproduces the published figures from its records, and is idempotent."""

import io
import json

import pytest
from django.core.management import call_command

from uplift.accounts.models import User
from uplift.core.demo import build_demo
from uplift.delivery.models import Activity
from uplift.registry.models import Enterprise
from uplift.registry.validators import validate_credit_code

pytestmark = pytest.mark.django_db


def test_demo_reproduces_the_published_figures_and_is_idempotent(client):
    ctx = build_demo()
    out = io.StringIO()
    call_command("figures", "--json", "--programme", "hubei-2018", stdout=out)
    data = json.loads(out.getvalue())
    assert data["enterprises_served"] == {"value": 10324, "target": 10000, "unit": "enterprises"}
    assert data["excellence_adopters"] == {"value": 1045, "target": 1000, "unit": "enterprises"}
    assert data["benchmark_enterprises"] == {"value": 113, "target": 100, "unit": "enterprises"}
    assert data["pilot_clusters"] == {"value": 12, "target": 12, "unit": "clusters"}
    # Delivery: counted from approved activities only; drafts, submitted and returned ones exist.
    assert data["activities"]["value"] == 1236
    assert data["enterprises_participating"]["value"] == 10324
    assert data["manager_participations"]["value"] == 48000
    assert data["enterprises_trained_advanced"]["value"] == 3022
    assert set(Activity.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "approved",
    }
    assert Activity.objects.exclude(status="approved").count() == 12 + 2 * 4

    for code in Enterprise.objects.values_list("credit_code", flat=True)[:500]:
        validate_credit_code(code)
    roles = {login["role"] for login in ctx.logins}
    assert len(roles) == 7

    counts = (Enterprise.objects.count(), User.objects.count(), Activity.objects.count())
    build_demo()
    assert (Enterprise.objects.count(), User.objects.count(), Activity.objects.count()) == counts

    # Every demo login works and lands somewhere useful.
    for login in ctx.logins:
        assert client.login(username=login["username"], password=login["password"]), login
        response = client.get("/", follow=True)
        assert response.status_code == 200, login
        client.logout()
