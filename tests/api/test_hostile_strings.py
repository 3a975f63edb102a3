"""Hostile strings in every free-text field of every model, through the API, and the pages after.

The cases come from the code: every generic API test class (``APITestCases`` with an
``api_basename``, editable, with ``create_data``) gives a valid create payload; every writable
text field of the serializer registered under that basename (``uplift.api.urls.router``) gets,
one at a time, script, SQL, an overlong string, a NUL byte and a lone surrogate.

What must happen, for each:

* never a server error (5xx), anywhere;
* refused (400, the field named in the body, nothing written), or stored verbatim;
* once stored, the record's page, the list searched for the value, the API detail and the audit
  entry of the creation answer 200, with the markup escaped (never ``<script>alert(`` or
  ``<img src=x onerror``) and the SQL kept as data (the table it names still there);
* a string longer than the field's ``max_length`` is refused, never truncated; a NUL byte or a
  lone surrogate is refused on every database (PostgreSQL cannot store them, SQLite would);
* a text field without ``max_length`` gets 100,000 characters: refused, or stored whole and its
  pages still served (the list searched for it too: a search that long is refused, not a 500).

Every attempt runs in a savepoint rolled back after it, so each starts from the class's data.
All failures of a model are collected and reported together.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

import tests
from uplift.api.urls import router
from uplift.core.filtersets import SEARCH_MAX_LENGTH
from uplift.core.models import AuditEntry
from uplift.core.testing import APITestCases
from uplift.core.views import ObjectViews
from uplift.registry.models import Enterprise

#: Test modules not to import while collecting: the fuzz test loads its schema through the app.
SKIP_MODULES = {"tests.api.test_fuzz", __name__}

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'
#: What must never reach a page unescaped.
RAW_MARKUP = ("<script>alert(", "<img src=x onerror")
DROP = "'; DROP TABLE registry_enterprise; --"
OR = "' OR '1'='1"
UNBOUNDED = 100_000  # the "overlong" length tried on a text field without max_length


def _api_test_classes() -> list[type[APITestCases]]:
    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        if mod.name not in SKIP_MODULES:
            importlib.import_module(mod.name)
    found, todo = set(), [APITestCases]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return sorted(
        (
            c
            for c in found
            if "api_basename" in c.__dict__ and c.editable and c.create_data is not APITestCases.create_data
        ),
        key=lambda c: c.api_basename,
    )


CLASSES = _api_test_classes()
VIEWSETS = {basename: viewset for _prefix, viewset, basename in router.registry}


def text_fields(basename: str) -> list[tuple[str, serializers.CharField]]:
    """The writable text fields of the serializer behind ``basename`` (choices excluded)."""
    fields = VIEWSETS[basename].serializer_class().fields
    return [
        (name, f) for name, f in fields.items() if isinstance(f, serializers.CharField) and not f.read_only
    ]


def hostile_values(field: serializers.CharField) -> list[tuple[str, str]]:
    longest = field.max_length
    overlong = "质" * (longest + 1 if longest is not None else UNBOUNDED)
    return [
        ("script", SCRIPT),
        ("img-onerror", IMG),
        ("sql-drop", DROP),
        ("sql-or", OR),
        (f"overlong({len(overlong)})", overlong),
        ("nul", "a\x00b"),
        ("surrogate", "a\ud800b"),
    ]


def _spec(model) -> ObjectViews | None:
    return next((s for s in ObjectViews.registry if s.model is model), None)


def _detail_url(obj) -> str | None:
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    meta = obj._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[obj.pk])
    except NoReverseMatch:
        return None


def _short(value: Any, n: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= n else text[:n] + f"... ({len(text)} chars)"


class Attempt:
    """One model's run: its generic test class's data and actor, the failures found."""

    def __init__(self, cls: type[APITestCases]) -> None:
        # A subclass of its own holds the class's set-up data (setUpTestData writes to ``cls``).
        self.sub = type(f"Hostile{cls.__name__}", (cls,), {"__module__": __name__})
        self.sub.setUpTestData()
        self.case = self.sub()
        self.model = cls.model
        self.basename = cls.api_basename
        self.user = self.case.user
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.user)
        self.auditor = Client(raise_request_exception=False)
        self.auditor.force_login(self.case.w.audit_admin)
        spec = _spec(self.model)
        self.list_url = reverse(f"{self.model._meta.app_label}:{self.model._meta.model_name}_list")
        self.search_fields = tuple(getattr(spec.filterset, "search_fields", ())) if spec else ()
        # The valid payload, made once: each attempt is rolled back, so it stays valid.
        self.data = self.case.create_data(self.case.w)
        self.failures: list[str] = []
        self.stored_markup = 0  # markup values stored ...
        self.seen_escaped = 0  # ... and pages that showed one, escaped

    def fail(self, field: str, kind: str, what: str) -> None:
        self.failures.append(f"{self.model._meta.label} .{field} [{kind}]: {what}")

    def get(self, client: Client, url: str, field: str, kind: str, what: str, **params):
        response = client.get(url, params)
        if response.status_code != 200:
            exc = getattr(response, "exc_info", None)
            detail = f" ({exc[1]!r})" if exc else ""
            self.fail(field, kind, f"{what} {url} answered {response.status_code}{detail}")
            return None
        return response

    def check_html(self, response, field: str, kind: str, what: str) -> None:
        html = response.content.decode()
        for raw in RAW_MARKUP:
            if raw in html:
                self.fail(field, kind, f"{what} shows {raw!r} unescaped")
        if "&lt;script&gt;" in html or "&lt;img src=x onerror" in html:
            self.seen_escaped += 1

    def run(self, field: str, kind: str, value: str, max_length: int | None) -> None:
        data = self.case._json({**self.data, field: value})
        before, enterprises = self.model._default_manager.count(), Enterprise.objects.count()
        last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = self.client.post(self.case.url(), data, content_type="application/json")
        status = response.status_code
        if status >= 500:
            exc = getattr(response, "exc_info", None)
            self.fail(field, kind, f"create answered {status}" + (f": {exc[1]!r}" if exc else ""))
            return
        must_refuse = (kind.startswith("overlong") and max_length is not None) or kind in ("nul", "surrogate")
        if status == 400:
            body = response.json()
            if field not in body:
                self.fail(field, kind, f"refused without naming the field: {_short(body)}")
            if self.model._default_manager.count() != before:
                self.fail(field, kind, "refused, yet a record was written")
            return
        if status != 201:
            self.fail(field, kind, f"create answered {status}: {_short(response.content)}")
            return
        self.stored_markup += kind in ("script", "img-onerror")
        body = response.json()
        lookup = getattr(self.case, "api_lookup", "pk")
        key = body.get(lookup) if lookup != "pk" else body.get("id", body.get(self.model._meta.pk.name))
        obj = self.model._default_manager.get(**{lookup: key})
        saved = getattr(obj, field, None)
        # A field the model does not let forms edit is an input its service keeps its own way
        # (a bid's proposal is sealed until the opening): what it stores is not compared.
        model_field = next((f for f in self.model._meta.fields if f.name == field), None)
        verbatim = model_field is not None and model_field.editable
        if must_refuse:
            self.fail(field, kind, f"accepted (201), stored as {_short(saved)}")
        elif verbatim and saved != value:
            self.fail(field, kind, f"stored altered: {_short(saved)}")
        if Enterprise.objects.count() != enterprises + (self.model is Enterprise):
            self.fail(field, kind, "the count of enterprises changed")

        # The API detail, the record's page, the list searched for it, the audit entry.
        api = self.get(self.client, self.case.url(obj), field, kind, "API detail")
        if verbatim and api is not None and field in api.json() and api.json()[field] != value:
            self.fail(field, kind, f"API detail shows {_short(api.json()[field])}")
        url = _detail_url(obj)
        page = url and self.get(self.client, url, field, kind, "detail page")
        if page:
            self.check_html(page, field, kind, "detail page")
        params = {"q": value} if self.search_fields else {}
        listing = self.get(self.client, self.list_url, field, kind, "list page", **params)
        if listing:
            self.check_html(listing, field, kind, "list page")
            if field in self.search_fields and len(value) <= SEARCH_MAX_LENGTH:
                pks = {row.record.pk for row in listing.context["table"].page.object_list}
                if obj.pk not in pks:
                    self.fail(field, kind, "the list searched for the value does not show the record")
        if kind in ("script", "img-onerror"):
            entry = (
                AuditEntry.objects.filter(seq__gt=last_seq, object_type=self.model._meta.label_lower)
                .order_by("seq")
                .first()
            )
            if entry is None:
                self.fail(field, kind, "no audit entry for the creation")
            else:
                audit = self.get(self.auditor, entry.get_absolute_url(), field, kind, "audit entry")
                if audit:
                    self.check_html(audit, field, kind, "audit entry")
                audits = self.get(self.auditor, reverse("core:auditentry_list"), field, kind, "audit list")
                if audits:
                    self.check_html(audits, field, kind, "audit list")


@pytest.mark.parametrize("cls", CLASSES, ids=[c.api_basename for c in CLASSES])
def test_hostile_strings_are_refused_or_stored_and_shown_escaped(cls, db):
    attempt = Attempt(cls)
    fields = text_fields(attempt.basename)
    for field, f in fields:
        for kind, value in hostile_values(f):
            with transaction.atomic():
                attempt.run(field, kind, value, f.max_length)
                transaction.set_rollback(True)
    # Search with a NUL byte: a refused filter, not a server error (pages and API alike).
    for client, url in ((attempt.client, attempt.list_url), (attempt.client, attempt.case.url())):
        status = client.get(url, {"q": "a\x00b"}).status_code
        if status >= 500:
            attempt.fail("q", "nul", f"list {url} searched for NUL answered {status}")
    if attempt.stored_markup and not attempt.seen_escaped:
        attempt.fail("*", "script", "stored markup never shown on any page: nothing was checked")
    report = "\n".join(attempt.failures)
    assert not attempt.failures, f"{len(attempt.failures)} problem(s):\n{report}"


def test_the_cases_cover_every_editable_api_endpoint():
    """The generation found the generic classes: one per editable router endpoint with text."""
    assert len(CLASSES) >= 30
    covered = {c.api_basename for c in CLASSES}
    assert covered <= set(VIEWSETS)
    assert {"enterprise", "tender", "activity", "serviceinstitution"} <= covered


def test_a_nul_in_a_records_key_is_a_clear_400(w, client):
    """PostgreSQL refuses NUL in text with an error: a related record's key (a region code) with
    one must be "does not exist", not a server error, on both databases."""
    client.force_login(w.officer)
    data = {
        "credit_code": w.code("420102", 901),
        "name": "武汉测试",
        "region": "42\x000102",
        "industry": "18",
    }
    response = client.post("/api/registry/enterprises/", data, content_type="application/json")
    assert response.status_code == 400 and "region" in response.json()
