"""Sign-in protection: lockout after repeated failures, password policy, forced change, audit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from uplift.accounts.models import SignInAttempt
from uplift.accounts.services import password_change, user_create
from uplift.core.models import AuditEntry

LOGIN = "/accounts/login/"
GOOD = "Test-pass-2018"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_good_sign_in_is_recorded_and_audited(w, client):
    response = sign_in(client, "officer", GOOD)
    assert response.status_code == 302
    assert SignInAttempt.objects.filter(username="officer", succeeded=True).count() == 1
    assert AuditEntry.objects.filter(action="accounts.user.sign_in", actor=w.officer).exists()


def test_five_failures_lock_the_account_for_fifteen_minutes(w, client):
    for _ in range(5):
        assert sign_in(client, "officer", "wrong").status_code == 200
    response = sign_in(client, "officer", GOOD, address="10.0.0.2")  # right password, other address
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.user.sign_in_locked").exists()
    # The refused attempt does not extend the lock: once the failures age out, sign-in works.
    SignInAttempt.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "officer", GOOD, address="10.0.0.2").status_code == 302


def test_five_failures_from_one_address_lock_that_address(w, client):
    for name in ["a", "b", "c", "d", "e"]:
        sign_in(client, name, "wrong", address="10.9.9.9")
    response = sign_in(client, "officer", GOOD, address="10.9.9.9")
    assert "Too many failed sign-ins" in response.content.decode()
    assert sign_in(client, "officer", GOOD, address="10.9.9.8").status_code == 302


def test_a_success_resets_the_account_count(w, client):
    for _ in range(4):
        sign_in(client, "officer", "wrong", address="10.0.0.3")
    assert sign_in(client, "officer", GOOD, address="10.0.0.4").status_code == 302
    client.logout()
    sign_in(client, "officer", "wrong", address="10.0.0.5")
    assert sign_in(client, "officer", GOOD, address="10.0.0.6").status_code == 302


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Short-1", "too short"),
        ("alllowercaseletters", "kinds of character"),
        ("Officer-201", "too similar"),
        ("12345678901234", "entirely numeric"),
    ],
)
def test_password_policy(w, password, reason):
    with pytest.raises(ValidationError, match=reason):
        password_change(actor=w.officer, user=w.officer, password=password)


def test_recent_passwords_cannot_be_reused(w):
    password_change(actor=w.officer, user=w.officer, password="Second-pass-2019")
    with pytest.raises(ValidationError, match="recent passwords"):
        password_change(actor=w.officer, user=w.officer, password=GOOD)


def test_an_initial_password_must_be_changed_before_anything_else(w, client):
    user_create(
        actor=w.security_admin, username="newcomer", password="Initial-pass-2018", must_change_password=True
    )
    assert sign_in(client, "newcomer", "Initial-pass-2018").status_code == 302
    assert client.get("/registry/enterprises/").url == reverse("accounts:password_change")
    assert client.get("/api/registry/enterprises/").status_code == 403
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial-pass-2018",
            "new_password1": "My-own-pass-2018",
            "new_password2": "My-own-pass-2018",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # no role yet: the home page says so
    assert AuditEntry.objects.filter(
        action="accounts.user.password_change", actor__username="newcomer"
    ).exists()


def test_a_reset_by_an_administrator_forces_a_change(w):
    password_change(actor=w.security_admin, user=w.officer, password="Reset-pass-2018")
    w.officer.refresh_from_db()
    assert w.officer.must_change_password
