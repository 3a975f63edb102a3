"""The OpenAPI schema describes every endpoint without guesswork: no warning, no error, valid."""

from django.core.management import call_command


def test_schema_generates_cleanly_and_validates(tmp_path, db):
    target = tmp_path / "schema.yml"
    # --fail-on-warn turns any warning (an untyped filter, a name clash) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/registry/enterprises/", "/api/programmes/programmes/{slug}/dashboard/"):
        assert path in text


def test_schema_and_docs_are_served_to_signed_in_users(w, client):
    client.force_login(w.officer)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" not in docs.content.decode()  # nothing from the internet


def test_token_authentication_applies_the_same_scope(w, client):
    from uplift.accounts.services import token_create

    _token, key = token_create(actor=w.officer, user=w.officer, name="scope check")
    response = client.get("/api/registry/enterprises/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert w.ent_in.name in names and w.ent_out.name not in names
    assert client.get("/api/registry/enterprises/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    assert client.get("/api/registry/enterprises/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_api_calls_are_throttled_per_user(w, client, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"anon": "60/minute", "user": "3/minute"})
    client.force_login(w.officer)
    codes = [client.get("/api/registry/enterprises/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    client.force_login(w.institution_user)  # another user has their own allowance
    assert client.get("/api/registry/enterprises/").status_code == 200
