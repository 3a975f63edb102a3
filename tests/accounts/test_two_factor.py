"""The optional second factor: setting up an authenticator app, signing in with its code, turning
it off, and the security administrator's reset for a lost phone."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from uplift.accounts import services
from uplift.accounts.models import SignInAttempt
from uplift.accounts.views import PENDING_SECONDS, PENDING_SIGN_IN
from uplift.core.models import AuditEntry

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
GOOD = "Test-pass-2018"


def code_of(device, offset=0):
    """The code the user's app shows now (or ``offset`` time steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def enrolled(user):
    device = services.totp_begin(actor=user)
    services.totp_confirm(actor=user, token=code_of(device))
    return TOTPDevice.objects.get(pk=device.pk)


def sign_in(client, username="officer", password=GOOD, address="10.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def test_setting_up_shows_a_code_to_scan_and_turns_on_only_with_a_valid_code(w, client):
    client.force_login(w.officer)
    page = client.post(reverse("accounts:two_factor"), {"step": "begin"}, follow=True)
    body = page.content.decode()
    assert "<svg" in body and "Key" in body
    device = TOTPDevice.objects.get(user=w.officer)
    assert not device.confirmed

    refused = client.post(
        reverse("accounts:two_factor"), {"token": "000000" if code_of(device) != "000000" else "111111"}
    )
    assert refused.status_code == 200
    assert "not the one the app shows" in refused.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    # Right after a wrong code, django-otp makes the next try wait (1 s, then 2, 4...).
    slowed = client.post(reverse("accounts:two_factor"), {"token": code_of(device)})
    assert "Too many wrong codes: wait" in slowed.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    done = client.post(reverse("accounts:two_factor"), {"token": code_of(device)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEntry.objects.filter(action="accounts.user.totp_enable", actor=w.officer).exists()
    assert "On: sign-in asks for a code" in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.parametrize("token", ["abc", "12345", "1234567", "１２３４５６", "<script>"])
def test_a_malformed_code_is_refused_by_its_field(w, client, token):
    client.force_login(w.officer)
    services.totp_begin(actor=w.officer)
    response = client.post(reverse("accounts:two_factor"), {"token": token})
    assert response.status_code == 200
    assert (
        "Enter the six digits the app shows." in response.content.decode()
        or "at most" in response.content.decode()
    )
    assert not TOTPDevice.objects.get(user=w.officer).confirmed


def test_the_password_alone_does_not_sign_in_a_user_with_a_second_factor(w, client):
    device = enrolled(w.officer)
    response = sign_in(client, next="/accounts/me/")
    assert response.status_code == 302 and response.url == CODE
    # Half-way: not signed in, and the sign-in is not counted as a success yet.
    assert client.get("/accounts/me/").status_code == 302
    assert not SignInAttempt.objects.filter(username="officer", succeeded=True).exists()

    done = client.post(CODE, {"token": code_of(device, offset=1)}, REMOTE_ADDR="10.0.0.1")
    assert done.status_code == 302 and done.url == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert SignInAttempt.objects.filter(username="officer", succeeded=True).count() == 1
    assert AuditEntry.objects.filter(action="accounts.user.sign_in", actor=w.officer).exists()
    assert PENDING_SIGN_IN not in client.session


def test_a_user_without_a_second_factor_signs_in_with_the_password(w, client):
    assert sign_in(client).url != CODE
    assert client.get("/accounts/me/").status_code == 200


def test_a_code_works_once(w, client):
    device = enrolled(w.officer)
    token = code_of(device, offset=1)  # the next step's code, accepted within the tolerance
    sign_in(client)
    assert client.post(CODE, {"token": token}).status_code == 302
    client.logout()
    sign_in(client)
    replay = client.post(CODE, {"token": token})
    assert replay.status_code == 200
    assert "not the one the app shows" in replay.content.decode()


def test_wrong_codes_count_towards_the_lockout(w, client):
    device = enrolled(w.officer)
    sign_in(client)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    for _ in range(5):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # not django-otp's delay
        assert client.post(CODE, {"token": wrong}, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert SignInAttempt.objects.filter(username="officer", succeeded=False).count() == 5
    locked = client.post(CODE, {"token": code_of(device, offset=1)}, REMOTE_ADDR="10.0.0.1")
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get("/accounts/me/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.user.sign_in_locked").exists()


def test_a_sign_in_waits_five_minutes_for_its_code(w, client):
    device = enrolled(w.officer)
    sign_in(client)
    session = client.session
    session[PENDING_SIGN_IN] = {**session[PENDING_SIGN_IN], "at": time.time() - PENDING_SECONDS - 1}
    session.save()
    response = client.post(CODE, {"token": code_of(device, offset=1)}, follow=True)
    assert "The sign-in took too long" in response.content.decode()
    assert client.get("/accounts/me/").status_code == 302


def test_the_code_page_without_a_password_first_sends_to_sign_in(w, client):
    assert client.get(CODE).url == reverse("accounts:login")
    assert client.post(CODE, {"token": "123456"}).url == reverse("accounts:login")


def test_a_next_address_elsewhere_is_not_followed(w, client):
    device = enrolled(w.officer)
    sign_in(client, next="https://evil.example/")
    response = client.post(CODE, {"token": code_of(device, offset=1)})
    assert response.status_code == 302 and not response.url.startswith("https://evil")


def test_turning_it_off_needs_a_current_code(w, client):
    device = enrolled(w.officer)
    client.force_login(w.officer)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    assert client.post(reverse("accounts:two_factor"), {"token": wrong}).status_code == 200
    assert TOTPDevice.objects.filter(user=w.officer).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert (
        client.post(reverse("accounts:two_factor"), {"token": code_of(device, offset=1)}).status_code == 302
    )
    assert not TOTPDevice.objects.filter(user=w.officer).exists()
    assert AuditEntry.objects.filter(action="accounts.user.totp_disable", actor=w.officer).exists()


def test_setting_up_twice_is_refused_while_one_is_on(w):
    enrolled(w.officer)
    with pytest.raises(Exception, match="already set up"):
        services.totp_begin(actor=w.officer)


def test_the_security_administrator_resets_a_lost_second_factor(w, client):
    enrolled(w.officer)
    client.force_login(w.security_admin)
    page = client.get(w.officer.get_absolute_url()).content.decode()
    assert "Reset the second factor" in page
    response = client.post(reverse("accounts:user_reset_two_factor", args=[w.officer.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=w.officer).exists()
    assert AuditEntry.objects.filter(action="accounts.user.totp_reset", actor=w.security_admin).exists()
    # Nothing left to reset: the button is gone, and the step is refused.
    assert 'reset_two_factor/"' not in client.get(w.officer.get_absolute_url()).content.decode()
    again = client.post(reverse("accounts:user_reset_two_factor", args=[w.officer.pk]), follow=True)
    assert AuditEntry.objects.filter(action="accounts.user.totp_reset", actor=w.security_admin).count() == 1
    assert again.status_code in (200, 403, 404)


def test_others_cannot_reset_a_second_factor(w, client):
    enrolled(w.officer)
    client.force_login(w.institution_user)
    response = client.post(reverse("accounts:user_reset_two_factor", args=[w.officer.pk]))
    assert response.status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=w.officer).exists()


def test_a_backup_keeps_the_second_factors(w):
    from uplift.core.management.commands.backup import record_apps

    assert "otp_totp" in record_apps()
