"""Headers a browser needs to protect users, and templates that a strict CSP can serve."""

import re
from pathlib import Path

import pytest

import uplift

TEMPLATES = sorted(Path(uplift.__file__).parent.rglob("templates/**/*.html"))


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/programmes/hubei-2018/dashboard/", "/api/registry/enterprises/"]
)
def test_security_headers_on_pages_and_api(w, client, url):
    if "login" not in url:
        client.force_login(w.officer)
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda p: str(p.relative_to(Path(uplift.__file__).parent))
)
def test_templates_have_no_inline_script_style_or_handlers(template):
    text = template.read_text(encoding="utf-8")
    inline_scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", text)
        if "src=" not in tag and "application/json" not in tag
    ]
    assert not inline_scripts, "inline <script> is blocked by the CSP: move it to a static file"
    assert not re.search(r"<style\b", text), "inline <style> is blocked by the CSP"
    assert not re.search(r"\sstyle=\"", text), "style attributes are blocked by the CSP"
    assert not re.search(r"\son[a-z]+=\"", text), "event-handler attributes are blocked by the CSP"


def test_session_expires_after_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY


def test_errors_show_no_internals_when_debug_is_off(w, client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(w.officer)
    response = client.get("/registry/enterprises/not-a-number/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode() and "SELECT" not in response.content.decode()
    api = client.get("/api/registry/enterprises/not-a-number/")
    assert api.status_code == 404 and "Traceback" not in api.content.decode()
