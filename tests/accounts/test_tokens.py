"""Per-user API tokens: hashed, scoped (read / write), expiring, revocable, audited."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from uplift.accounts.authentication import TokenScopePermission
from uplift.accounts.models import ApiToken
from uplift.accounts.services import token_create, token_revoke
from uplift.core.models import AuditEntry
from uplift.core.testing import APITestCases, ViewTestCases

ENTERPRISES = "/api/registry/enterprises/"
CLUSTERS = "/api/registry/clusters/"


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


class TestApiToken(ViewTestCases, APITestCases):
    model = ApiToken
    api_basename = "apitoken"
    editable = False  # created by its own page (the key shown once) and revoked; never edited

    # Tokens are added on their own page (below), not through a form of the record's fields.
    test_read_only_has_no_add_page = None
    test_api_read_only_refuses_writes = None

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.mine, _ = token_create(actor=cls.w.officer, user=cls.w.officer, name="nightly sync")
        cls.theirs, _ = token_create(actor=cls.w.hunan_officer, user=cls.w.hunan_officer, name="hunan")

    @classmethod
    def inside(cls, w):
        return cls.mine

    @classmethod
    def outside(cls, w):
        return cls.theirs


# --- Creating: the key once, its hash kept -------------------------------------------------------


def test_the_page_shows_the_key_once_and_stores_only_its_hash(w, client):
    client.force_login(w.officer)
    assert client.get(reverse("accounts:apitoken_add")).status_code == 200
    response = client.post(
        reverse("accounts:apitoken_add"),
        {"name": "报表脚本", "scope": "read", "expires_at": in_days(30).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = response.context["key"]
    assert key.startswith("upl_") and len(key) >= 40
    assert key in response.content.decode()
    assert "Copy the key now" in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scope) == (w.officer, "报表脚本", "read")
    assert token.prefix == key[:12]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    # Never again: not on its page, not in the list, not in the API, not in the audit trail.
    for url in (token.get_absolute_url(), reverse("accounts:apitoken_list"), "/api/tokens/"):
        body = client.get(url).content.decode()
        assert token.prefix in body and key not in body
    entry = AuditEntry.objects.get(action="accounts.apitoken.create")
    assert entry.actor == w.officer and "key_hash" not in entry.after and key not in str(entry.after)


def test_the_api_answers_the_key_once(w, client):
    client.force_login(w.officer)
    response = client.post("/api/tokens/", {"name": "ci", "scope": "write"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"].startswith(body["prefix"]) and body["scope"] == "write"
    token = ApiToken.objects.get(pk=body["id"])
    # 90 days unless said otherwise.
    assert abs(token.expires_at - in_days(90)) < datetime.timedelta(minutes=1)
    assert "key" not in client.get(f"/api/tokens/{token.pk}/").json()
    assert client.get(ENTERPRISES, **bearer(body["key"])).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "   ", "scope": "read"}, "name"),
        ({"name": "past", "scope": "read", "expires_at": -1}, "expires_at"),
        ({"name": "too long", "scope": "read", "expires_at": 366}, "expires_at"),
        ({"name": "odd scope", "scope": "admin"}, "scope"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(w, client, data, field):
    client.force_login(w.officer)
    audits = AuditEntry.objects.count()
    days = data.pop("expires_at", 30)
    page = client.post(
        reverse("accounts:apitoken_add"), {**data, "expires_at": in_days(days).strftime("%Y-%m-%dT%H:%M")}
    )
    assert page.status_code == 200
    assert field in page.context["form"].errors, page.context["form"].errors
    api = client.post(
        "/api/tokens/", {**data, "expires_at": in_days(days).isoformat()}, content_type="application/json"
    )
    assert api.status_code == 400 and field in api.json(), api.content
    with pytest.raises(ValidationError) as exc:
        token_create(actor=w.officer, user=w.officer, expires_at=in_days(days), **data)
    assert field in exc.value.message_dict
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_nobody_creates_a_token_for_someone_else(w):
    with pytest.raises(ValidationError) as exc:
        token_create(actor=w.security_admin, user=w.officer, name="impersonation")
    assert "user" in exc.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_token_cannot_create_tokens(w, client):
    _, key = token_create(actor=w.officer, user=w.officer, name="ci", scope="write")
    response = client.post("/api/tokens/", {"name": "spawn"}, content_type="application/json", **bearer(key))
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


# --- Authenticating --------------------------------------------------------------------------------


def test_bearer_and_token_keywords_act_as_the_user_with_their_scope(w, client):
    _, key = token_create(actor=w.officer, user=w.officer, name="read")
    for header in (f"Bearer {key}", f"Token {key}"):
        response = client.get(ENTERPRISES, HTTP_AUTHORIZATION=header)
        assert response.status_code == 200
        names = {row["name"] for row in response.json()["results"]}
        assert w.ent_in.name in names and w.ent_out.name not in names
    # The institution's token sees what the institution sees; the audit admin's, no programme data.
    _, inst = token_create(actor=w.institution_user, user=w.institution_user, name="inst")
    assert {r["name"] for r in client.get(ENTERPRISES, **bearer(inst)).json()["results"]} == {w.ent_in.name}
    _, audit_key = token_create(actor=w.audit_admin, user=w.audit_admin, name="audit")
    assert client.get(ENTERPRISES, **bearer(audit_key)).status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer upl_x y",
        "Bearer upl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
    ],
)
def test_a_wrong_key_is_401(w, client, header):
    response = client.get(ENTERPRISES, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_with_a_known_prefix_but_wrong_rest_is_401(w, client):
    token, key = token_create(actor=w.officer, user=w.officer, name="x")
    forged = key[:12] + ("A" if key[12] != "A" else "B") + key[13:]
    response = client.get(ENTERPRISES, **bearer(forged))
    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."


def test_an_expired_token_is_401(w, client):
    token, key = token_create(actor=w.officer, user=w.officer, name="x")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(ENTERPRISES, **bearer(key))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_is_401(w, client):
    token, key = token_create(actor=w.officer, user=w.officer, name="x")
    assert client.get(ENTERPRISES, **bearer(key)).status_code == 200
    token_revoke(actor=w.officer, token=token)
    response = client.get(ENTERPRISES, **bearer(key))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_the_token_of_a_disabled_account_is_401(w, client):
    from uplift.accounts.services import user_update

    _, key = token_create(actor=w.officer, user=w.officer, name="x")
    user_update(actor=w.security_admin, instance=w.officer, is_active=False)
    response = client.get(ENTERPRISES, **bearer(key))
    assert response.status_code == 401
    assert "disabled" in response.json()["detail"]


def test_a_read_token_reads_and_changes_nothing(w, client):
    token, key = token_create(actor=w.officer, user=w.officer, name="read", scope="read")
    assert client.get(CLUSTERS, **bearer(key)).status_code == 200
    assert client.head(CLUSTERS, **bearer(key)).status_code == 200
    assert client.options(CLUSTERS, **bearer(key)).status_code == 200
    data = {"name": "潜江小龙虾", "region": "429005", "lead_industry": "04"}
    response = client.post(CLUSTERS, data, content_type="application/json", **bearer(key))
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    # Workflow steps too (they declare their own permission classes).
    response = client.post(f"/api/tokens/{token.pk}/revoke/", **bearer(key))
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_write_token_writes_as_its_user(w, client):
    _, key = token_create(actor=w.officer, user=w.officer, name="write", scope="write")
    data = {"name": "潜江小龙虾", "region": "429005", "lead_industry": "04"}
    response = client.post(CLUSTERS, data, content_type="application/json", **bearer(key))
    assert response.status_code == 201, response.content
    entry = AuditEntry.objects.filter(action="registry.industrialcluster.create").order_by("-seq").first()
    assert entry.actor == w.officer
    # ...within their scope: a Hunan cluster is refused like in the pages.
    response = client.post(
        CLUSTERS, {**data, "name": "株洲", "region": "430200"}, content_type="application/json", **bearer(key)
    )
    assert response.status_code == 400


def test_a_session_is_not_narrowed_by_token_rules(w, client):
    client.force_login(w.officer)
    data = {"name": "潜江小龙虾", "region": "429005", "lead_industry": "04"}
    assert client.post(CLUSTERS, data, content_type="application/json").status_code == 201


def test_last_use_is_recorded_at_most_once_a_minute(w, client, django_assert_max_num_queries):
    token, key = token_create(actor=w.officer, user=w.officer, name="x")
    assert token.last_used_at is None
    client.get(ENTERPRISES, **bearer(key))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < datetime.timedelta(seconds=10)
    client.get(ENTERPRISES, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first  # not written again within the minute
    assert token.version == 1  # bookkeeping, not a change of the record
    earlier = first - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get(ENTERPRISES, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > earlier + datetime.timedelta(minutes=1)


# --- Revoking ----------------------------------------------------------------------------------


def test_the_owner_revokes_after_confirming(w, client):
    token, key = token_create(actor=w.officer, user=w.officer, name="x")
    client.force_login(w.officer)
    page = client.get(token.get_absolute_url())
    url = reverse("accounts:apitoken_revoke", args=[token.pk])
    assert url in page.content.decode()
    assert client.post(url, {}).status_code == 200  # not without ticking the confirmation
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url, {"confirm": "on"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == w.officer
    entry = AuditEntry.objects.filter(action="accounts.apitoken.revoke").get()
    assert entry.actor == w.officer and entry.object_id == str(token.pk)
    assert url not in client.get(token.get_absolute_url()).content.decode()  # no second revocation


def test_nobody_revokes_another_users_token_but_the_security_admin(w, client):
    token, key = token_create(actor=w.officer, user=w.officer, name="x")
    url = reverse("accounts:apitoken_revoke", args=[token.pk])
    for other in (w.hunan_officer, w.audit_admin, w.institution_user):
        client.force_login(other)
        assert client.get(token.get_absolute_url()).status_code == 404
        assert client.post(url, {"confirm": "on"}).status_code == 404
        assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    _, other_key = token_create(actor=w.hunan_officer, user=w.hunan_officer, name="y", scope="write")
    client.logout()
    assert client.post(f"/api/tokens/{token.pk}/revoke/", **bearer(other_key)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    # The security administrator sees every token (to find a leaked one by its prefix) and revokes it.
    client.force_login(w.security_admin)
    listed = client.get(reverse("accounts:apitoken_list"), {"q": token.prefix})
    assert [r.record for r in listed.context["table"].page.object_list] == [token]
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert client.get(ENTERPRISES, **bearer(key)).status_code == 401
    entry = AuditEntry.objects.filter(action="accounts.apitoken.revoke").get()
    assert entry.actor == w.security_admin
    # A revoked token stays revoked: the step is no longer offered.
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 403


def test_the_list_filters_by_state(w, client):
    active, _ = token_create(actor=w.officer, user=w.officer, name="a")
    revoked, _ = token_create(actor=w.officer, user=w.officer, name="r")
    token_revoke(actor=w.officer, token=revoked)
    expired, _ = token_create(actor=w.officer, user=w.officer, name="e")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(w.officer)
    for state, token in (("active", active), ("revoked", revoked), ("expired", expired)):
        rows = client.get("/api/tokens/", {"state": state}).json()["results"]
        assert [r["id"] for r in rows] == [token.pk], state


# --- The command -------------------------------------------------------------------------------


def test_the_command_creates_and_revokes(w):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "token",
        "create",
        "officer",
        "--name",
        "etl",
        "--scope",
        "write",
        "--days",
        "30",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.matches(key) and token.scope == "write" and token.user == w.officer
    assert abs(token.expires_at - in_days(30)) < datetime.timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="accounts.apitoken.create", actor=None).exists()
    with pytest.raises(CommandError, match="between 1 and 365"):
        call_command("token", "create", "officer", "--name", "etl", "--days", "400")
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "ghost", "--name", "etl")
    call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError, match="already revoked"):
        call_command("token", "revoke", token.prefix)


# --- Everywhere --------------------------------------------------------------------------------


def test_every_api_endpoint_applies_the_token_scope():
    """Views that set their own permission classes (workflow steps) must keep the read-only rule."""
    from uplift.api.urls import router

    for _prefix, viewset, basename in router.registry:
        assert TokenScopePermission in viewset.permission_classes, basename
        for extra in viewset.get_extra_actions():
            classes = extra.kwargs.get("permission_classes", viewset.permission_classes)
            assert TokenScopePermission in classes, f"{basename}.{extra.__name__}"


def test_a_password_reset_revokes_the_users_tokens_but_their_own_change_does_not(w, client):
    from uplift.accounts.services import password_change

    kept, kept_key = token_create(actor=w.officer, user=w.officer, name="日报同步")
    password_change(actor=w.officer, user=w.officer, password="Another-pass-2019!")
    kept.refresh_from_db()
    assert kept.revoked_at is None
    assert client.get("/api/registry/enterprises/", **bearer(kept_key)).status_code == 200
    # The security administrator resets it (a lost or stolen password): the keys go with it.
    password_change(actor=w.security_admin, user=w.officer, password="Reset-by-admin-2019!")
    kept.refresh_from_db()
    assert kept.revoked_at is not None and kept.revoked_by == w.security_admin
    assert client.get("/api/registry/enterprises/", **bearer(kept_key)).status_code == 401
    assert AuditEntry.objects.filter(action="accounts.apitoken.revoke", object_id=str(kept.pk)).exists()
