"""The side navigation: every declared model page the user may view, grouped by area."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .views import ObjectViews, perm, url_name

#: Areas of the side navigation, in order: (app label, title).
AREAS = [
    ("programmes", _("Programmes")),
    ("procurement", _("Procurement")),
    ("delivery", _("Delivery")),
    ("servicedesk", _("One-stop service")),
    ("inspection", _("Inspection")),
    ("indicators", _("Economic indicators")),
    ("excellence", _("Excellence model")),
    ("registry", _("Registry")),
    ("imports", _("Imports")),
    ("accounts", _("Accounts")),
    ("core", _("Files and audit")),
]


#: Pages of an area that are not a model's list: (area, url name, title, permission).
EXTRA_PAGES = [
    ("inspection", "inspection:rates", _("Pass rates"), "inspection.view_samplinginspection"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections = []
    for label, title in AREAS:
        links = []
        for spec in ObjectViews.registry:
            meta = spec.model._meta
            if meta.app_label != label or not spec.nav or not user.has_perm(perm(spec.model, "view")):
                continue
            try:
                url = reverse(url_name(spec.model, "list"))
            except NoReverseMatch:
                continue
            links.append(
                {"title": meta.verbose_name_plural, "url": url, "active": request.path.startswith(url)}
            )
        for area, name, page_title, permission in EXTRA_PAGES:
            if area == label and user.has_perm(permission):
                url = reverse(name)
                links.append({"title": page_title, "url": url, "active": request.path.startswith(url)})
        if links:
            sections.append({"title": title, "links": links})
    return {"nav_sections": sections}
