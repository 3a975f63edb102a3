"""Rules of the architecture, checked over the whole code base."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django.apps import apps

import tests
import uplift
from uplift.accounts.access import SCOPES
from uplift.api.urls import router
from uplift.core.models import ScopedModel
from uplift.core.testing import APITestCases, ViewTestCases
from uplift.core.views import ObjectViews

ROOT = Path(uplift.__file__).resolve().parent


# Importing every test module loads the fuzz test's schema through the app, which may read the
# database; allow it.
pytestmark = pytest.mark.django_db


def _all_test_classes(base):
    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        importlib.import_module(mod.name)
    found, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def scoped_models():
    return [m for m in apps.get_models() if issubclass(m, ScopedModel) or hasattr(m.objects, "visible_to")]


def test_every_scoped_model_has_an_access_rule():
    missing = [m._meta.label_lower for m in scoped_models() if m._meta.label_lower not in SCOPES]
    assert not missing, f"declare rules in accounts/access.py for {missing}"


def test_every_page_model_has_generic_page_tests():
    tested = {c.model for c in _all_test_classes(ViewTestCases) if "model" in c.__dict__}
    missing = [spec.model._meta.label for spec in ObjectViews.registry if spec.model not in tested]
    assert not missing, f"add a ViewTestCases subclass for {missing}"


def test_every_api_endpoint_has_generic_api_tests():
    tested = {c.api_basename for c in _all_test_classes(APITestCases) if "api_basename" in c.__dict__}
    missing = [basename for _prefix, _viewset, basename in router.registry if basename not in tested]
    assert not missing, f"add an APITestCases subclass for {missing}"


def test_no_bare_objects_of_a_scoped_model_in_views_api_or_reports():
    names = {m.__name__ for m in scoped_models()}
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.objects\.(?!visible_to\()")
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if path.name in {"views.py", "api.py"} or rel.parts[0] in {"reports", "api"}:
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "read scoped models through visible_to(user):\n" + "\n".join(offenders)


def test_no_domain_app_has_a_utils_module():
    assert not list(ROOT.glob("*/utils.py"))
