"""A record's page offers a sign-off step only to whom the service lets take it: the officer who
submitted an activity or a benefit claim is not offered "Approve" or "Verify" (another officer
signs it off); the API and the step's own page still reach the service, which refuses saying why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from uplift.core.models import AuditEntry
from uplift.delivery import services
from uplift.delivery.choices import ActivityKind, ActivityStatus, BenefitStatus
from uplift.delivery.models import Activity, Benefit
from uplift.delivery.testing import day

pytestmark = pytest.mark.django_db


def offered(client, user, url_name, pk) -> set[str]:
    """The steps the record's page offers ``user`` as buttons."""
    client.force_login(user)
    page = client.get(reverse(url_name, args=[pk]))
    assert page.status_code == 200
    return {a["action"].name for a in page.context["actions"]}


def refused(action: str) -> int:
    return AuditEntry.objects.filter(action=f"{action}_refused").count()


@pytest.fixture
def own_activity(w, d):
    """An activity of the Hubei project that ``w.officer`` recorded and submitted."""
    a = services.activity_create(
        actor=w.officer,
        project=d.project,
        kind=ActivityKind.SURVEY,
        held_on=day(8, 1),
        place="园区",
        topic="调研",
    )
    services.participation_create(actor=w.officer, activity=a, enterprise=w.ent_in, managers=1)
    return services.activity_submit(actor=w.officer, activity=a)


@pytest.fixture
def own_claim(w, d):
    """A benefit claim of the Hubei project that ``w.officer`` submitted."""
    claim = d.claim(d.project, w.ent_in, Decimal("30000"))
    return services.benefit_submit(actor=w.officer, benefit=claim)


def test_the_submitter_is_not_offered_approve_another_officer_is(w, d, own_activity, client):
    mine = offered(client, w.officer, "delivery:activity_detail", own_activity.pk)
    assert "approve" not in mine
    # Returning is not refused by activity_return (the submitter may take it back to correct it).
    assert "return" in mine
    assert {"approve", "return"} <= offered(client, d.officer2, "delivery:activity_detail", own_activity.pk)
    # Another officer's submission is offered to this one, as before.
    assert "approve" in offered(client, w.officer, "delivery:activity_detail", d.submitted.pk)
    # Nobody but an officer is offered either.
    assert not {"approve", "return"} & offered(
        client, w.institution_user, "delivery:activity_detail", own_activity.pk
    )


def test_the_submitter_is_not_offered_verify_another_officer_is(w, d, own_claim, client):
    mine = offered(client, w.officer, "delivery:benefit_detail", own_claim.pk)
    assert "verify" not in mine and "reject" in mine  # benefit_reject does not refuse them
    assert {"verify", "reject"} <= offered(client, d.officer2, "delivery:benefit_detail", own_claim.pk)
    other = services.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    assert "verify" in offered(client, w.officer, "delivery:benefit_detail", other.pk)


def test_the_api_still_lets_the_service_refuse_the_submitter_saying_why(
    w, d, own_activity, own_claim, client
):
    client.force_login(w.officer)
    response = client.post(f"/api/delivery/activities/{own_activity.pk}/approve/")
    assert response.status_code == 400 and "another officer" in response.content.decode()
    assert refused("delivery.activity.approve") == 1
    response = client.post(
        f"/api/delivery/benefits/{own_claim.pk}/verify/", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 400 and "another officer" in response.content.decode()
    assert refused("delivery.benefit.verify") == 1
    assert Activity.objects.get(pk=own_activity.pk).status == ActivityStatus.SUBMITTED
    assert Benefit.objects.get(pk=own_claim.pk).status == BenefitStatus.SUBMITTED
    # The step's own page too: it asks, then shows the service's refusal.
    assert client.get(reverse("delivery:activity_approve", args=[own_activity.pk])).status_code == 200
    response = client.post(reverse("delivery:activity_approve", args=[own_activity.pk]))
    assert response.status_code == 200 and "another officer" in response.content.decode()
    client.force_login(d.officer2)
    response = client.post(f"/api/delivery/activities/{own_activity.pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = client.post(
        f"/api/delivery/benefits/{own_claim.pk}/verify/",
        {"note": "凭证齐全"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "verified"
