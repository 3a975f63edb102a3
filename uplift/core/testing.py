"""Generic test bases: a model's pages and API tested from declared data alone.

A test class for a model subclasses :class:`ViewTestCases` and/or :class:`APITestCases` and
declares, against the shared :class:`World` (two provinces, users of every role):

* ``model`` and, for the API, ``api_basename``;
* ``inside(w)`` / ``outside(w)``: a record the acting user may see, and one they may not;
* for editable models, ``create_data(w)`` (valid form/API data), ``update_data(w, obj)`` and
  ``invalid_data(w)`` returning ``(data, field)``: data that must be refused with an error on
  ``field`` and nothing written.

The bases then test anonymous access, access without permission (403), access with permission
(200, only in-scope rows listed and exported), out of scope (404, like missing), creation and
editing through the services (audited), and refusal of bad input.
"""

from __future__ import annotations

import datetime
import io
from typing import Any, ClassVar

from django.db import models
from django.test import TestCase
from django.urls import reverse

from .models import AuditEntry


class World:
    """A small, complete cast: Hubei (in scope for the officer) and Hunan (out of scope)."""

    def __init__(self) -> None:
        from uplift.accounts.choices import OrganisationKind, Role
        from uplift.accounts.services import membership_create, organisation_create, user_create
        from uplift.programmes.services import pilot_create, programme_create
        from uplift.registry import services as reg
        from uplift.registry.demo import credit_code

        def code(region: str, serial: int, kind: str = "91") -> str:
            return credit_code(kind, region, serial)

        self.code = code
        self.cluster_in = reg.cluster_create(
            actor=None, name="仙桃休闲女装", region_id="429004", lead_industry_id="18"
        )
        self.cluster_out = reg.cluster_create(
            actor=None, name="长沙工程机械", region_id="430100", lead_industry_id="36"
        )
        self.ent_in = reg.enterprise_create(
            actor=None,
            credit_code=code("429004", 1),
            name="仙桃华美服饰有限公司",
            region_id="429004",
            industry_id="18",
        )
        self.ent_out = reg.enterprise_create(
            actor=None,
            credit_code=code("430102", 2),
            name="长沙远大机械有限公司",
            region_id="430102",
            industry_id="36",
        )
        self.member_in = reg.cluster_membership_create(
            actor=None, cluster=self.cluster_in, enterprise=self.ent_in, joined_on=datetime.date(2018, 3, 1)
        )
        self.member_out = reg.cluster_membership_create(
            actor=None, cluster=self.cluster_out, enterprise=self.ent_out, joined_on=datetime.date(2018, 3, 1)
        )
        self.inst_in = reg.institution_create(
            actor=None, credit_code=code("420100", 3, "12"), name="湖北质量服务中心", region_id="420100"
        )
        self.inst_out = reg.institution_create(
            actor=None, credit_code=code("430100", 4, "12"), name="湖南质量服务中心", region_id="430100"
        )
        self.expert_in = reg.expert_create(actor=None, name="陈教授", region_id="420100")
        self.expert_out = reg.expert_create(actor=None, name="周教授", region_id="430100")
        self.station_in = reg.station_create(actor=None, name="岱家山品质服务站", region_id="420102")
        self.station_out = reg.station_create(actor=None, name="长沙品质服务站", region_id="430102")
        period = {"start_date": datetime.date(2018, 1, 1), "end_date": datetime.date(2018, 12, 31)}
        self.programme_in = programme_create(
            actor=None, slug="hubei-2018", name="湖北万千百", region_id="420000", **period
        )
        self.programme_out = programme_create(
            actor=None, slug="hunan-2018", name="湖南品质提升", region_id="430000", **period
        )
        self.pilot_in = pilot_create(
            actor=None, programme=self.programme_in, cluster=self.cluster_in, institution=self.inst_in
        )
        self.pilot_out = pilot_create(
            actor=None, programme=self.programme_out, cluster=self.cluster_out, institution=self.inst_out
        )

        def org(**data):
            return organisation_create(actor=None, **data)

        def person(username: str, organisation=None, role: str | None = None):
            user = user_create(actor=None, username=username, password="Test-pass-2018")
            if organisation is not None:
                membership_create(actor=None, user=user, organisation=organisation, role=role)
            return user

        self.bureau = org(kind=OrganisationKind.BUREAU, name="湖北省市场监督管理局", region_id="420000")
        self.hunan_bureau = org(kind=OrganisationKind.BUREAU, name="湖南省市场监督管理局", region_id="430000")
        self.officer = person("officer", self.bureau, Role.OFFICER)
        self.hunan_officer = person("hunan_officer", self.hunan_bureau, Role.OFFICER)
        self.nobody = person("nobody")
        self.institution_user = person(
            "inst",
            org(kind=OrganisationKind.INSTITUTION, name="湖北质量服务中心", institution=self.inst_in),
            Role.INSTITUTION_STAFF,
        )
        self.enterprise_user = person(
            "ent",
            org(kind=OrganisationKind.ENTERPRISE, name="仙桃华美服饰", enterprise=self.ent_in),
            Role.ENTERPRISE_USER,
        )
        self.security_admin = person("secadmin", self.bureau, Role.SECURITY_ADMIN)
        self.audit_admin = person("auditadmin", self.bureau, Role.AUDIT_ADMIN)
        self.expert_user = person(
            "expert", org(kind=OrganisationKind.EXPERT_PANEL, name="湖北省品质提升专家库"), Role.EXPERT
        )
        self.expert_in = reg.expert_update(actor=None, instance=self.expert_in, user=self.expert_user)

    #: Every user of the cast, one per role and scope: the scope matrix tries each of them.
    USERS = (
        "officer",
        "hunan_officer",
        "institution_user",
        "enterprise_user",
        "expert_user",
        "security_admin",
        "audit_admin",
        "nobody",
    )


class ModelTestCase(TestCase):
    """Shared set-up of the generic bases."""

    # The bases hold no model and are not tests; a subclass that declares a model is.
    __test__ = False

    #: tests that write; a read-only model (``editable = False``) does not get them at all
    write_tests: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__test__ = "model" in cls.__dict__
        cls.write_tests = tuple(name for base in cls.__mro__ for name in vars(base).get("write_tests", ()))
        if cls.__test__ and not cls.editable:
            for name in cls.write_tests:
                setattr(cls, name, None)
        if cls.__test__ and cls.sees_everything:
            for name in cls.out_of_scope_tests:
                if hasattr(cls, name):
                    setattr(cls, name, None)
        if cls.__test__ and cls.editable:
            for name in ("test_read_only_has_no_add_page", "test_api_read_only_refuses_writes"):
                if hasattr(cls, name):
                    setattr(cls, name, None)

    model: ClassVar[type[models.Model]]
    #: the World attribute naming the user who has the permissions under test
    actor: ClassVar[str] = "officer"
    editable: ClassVar[bool] = True
    #: the verbs the model's create and update services write to the audit trail
    audit_verbs: ClassVar[dict[str, str]] = {"create": "create", "update": "update"}
    #: the actor sees every row of the model (reference data, the audit trail for the audit
    #: admin, accounts for the security admin): there is no out-of-scope record to try
    sees_everything: ClassVar[bool] = False
    out_of_scope_tests: ClassVar[tuple[str, ...]] = (
        "test_detail_out_of_scope_is_404",
        "test_edit_out_of_scope_is_404",
        "test_api_retrieve_out_of_scope_is_404",
        "test_api_update_out_of_scope_is_404",
    )

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()

    # Declarations (override) -----------------------------------------------------------------
    @classmethod
    def inside(cls, w: World) -> models.Model:
        raise NotImplementedError

    @classmethod
    def outside(cls, w: World) -> models.Model:
        if cls.sees_everything:
            return cls.inside(w)
        raise NotImplementedError

    def create_data(self, w: World) -> dict[str, Any]:
        raise NotImplementedError

    def update_data(self, w: World, obj: models.Model) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_data(self, w: World) -> tuple[dict[str, Any], str]:
        raise NotImplementedError

    # Helpers ---------------------------------------------------------------------------------
    @property
    def user(self):
        return getattr(self.w, self.actor)

    def name(self, page: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}:{meta.model_name}_{page}"

    def count(self) -> int:
        return self.model._default_manager.count()


#: What a record outside the user's scope answers: 404 (like a missing one), or 403 when the
#: role may not read the model at all (which says nothing about the record).
REFUSED = (403, 404)


def id_filters(filterset: type | None, obj: models.Model) -> list[dict[str, Any]]:
    """One query per filter of ``filterset`` that selects by a relation or the region: the value
    ``obj`` holds (``?enterprise=<its enterprise>``) — how an attacker would fish for it."""
    if filterset is None:
        return []
    queries = []
    for name, flt in filterset.base_filters.items():
        field_name = (getattr(flt, "field_name", None) or "").split("__")[0]
        try:
            field = obj._meta.get_field(field_name)
        except Exception:  # a method filter, a search: not a column of the record
            continue
        if not (field.is_relation and field.many_to_one) and field_name != "region":
            continue
        value = getattr(obj, field.attname, None)
        if value not in (None, ""):
            queries.append({name: value})
    return queries


def scope_attempts(obj: models.Model, users: Any) -> list[tuple[Any, str]]:
    """(user, name) of every user of the cast who may not see ``obj``."""
    from uplift.accounts.access import is_visible

    out = []
    for name in World.USERS:
        user = getattr(users, name)
        if not is_visible(obj, user):
            out.append((user, name))
    return out


def _form_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_form_value(v) for v in value]
    if value is None:
        return ""
    return value


class ViewTestCases(ModelTestCase):
    """The pages: list, export, detail, create and edit."""

    write_tests = (
        "test_create_writes_through_the_service_and_audits",
        "test_create_with_bad_input_writes_nothing",
        "test_edit_records_before_and_after",
        "test_edit_out_of_scope_is_404",
        "test_add_without_permission_is_403",
        "test_list_query_count_does_not_grow_with_rows",
        "test_edit_based_on_a_stale_version_is_refused_showing_both",
    )

    def login(self, user=None):
        self.client.force_login(user or self.user)

    def test_list_anonymous_is_sent_to_login(self):
        response = self.client.get(reverse(self.name("list")))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_list_without_permission_is_403(self):
        self.login(self.w.nobody)
        self.assertEqual(self.client.get(reverse(self.name("list"))).status_code, 403)

    def test_list_shows_in_scope_rows_only(self):
        self.login()
        response = self.client.get(reverse(self.name("list")))
        self.assertEqual(response.status_code, 200)
        pks = {row.record.pk for row in response.context["table"].page.object_list}
        self.assertIn(self.inside(self.w).pk, pks)
        if not self.sees_everything:
            self.assertNotIn(self.outside(self.w).pk, pks)

    def test_export_xlsx_holds_in_scope_rows_only(self):
        from python_calamine import CalamineWorkbook

        self.login()
        response = self.client.get(reverse(self.name("list")), {"export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        body = b"".join(response.streaming_content)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
        visible = self.model.objects.visible_to(self.user).count()
        self.assertEqual(len(rows) - 1, visible)
        # The streamed rows are the table's own values (what django-tables2 would export).
        from django.test import RequestFactory
        from django.urls import resolve

        from .tables import table_values

        match = resolve(reverse(self.name("list")))
        view = match.func.view_class(**match.func.view_initkwargs)
        request = RequestFactory().get("/")
        request.user = self.user
        view.setup(request)
        table = view.spec.table(view.get_queryset())
        exclude = getattr(table, "export_exclude", ())
        self.assertEqual(list(table_values(table, exclude)), list(table.as_values(exclude_columns=exclude)))

    def test_detail_in_scope(self):
        self.login()
        obj = self.inside(self.w)
        response = self.client.get(reverse(self.name("detail"), args=[obj.pk]))
        self.assertEqual(response.status_code, 200)

    def test_detail_out_of_scope_is_404(self):
        self.login()
        obj = self.outside(self.w)
        self.assertEqual(self.client.get(reverse(self.name("detail"), args=[obj.pk])).status_code, 404)

    def test_detail_without_permission_is_403(self):
        self.login(self.w.nobody)
        obj = self.inside(self.w)
        self.assertEqual(self.client.get(reverse(self.name("detail"), args=[obj.pk])).status_code, 403)

    def test_every_role_is_refused_records_outside_its_scope(self):
        """The scope matrix: every user of the cast against the inside and outside records —
        by id (detail, edit, every workflow step), by filter parameters and through the export."""
        from django.test import RequestFactory
        from python_calamine import CalamineWorkbook

        from .views import ObjectViews

        specs = [spec for spec in ObjectViews.registry if spec.model is self.model]
        for obj in {self.inside(self.w), self.outside(self.w)}:
            for user, who in scope_attempts(obj, self.w):
                self.client.force_login(user)
                readable = user.has_perm(f"{self.model._meta.app_label}.view_{self.model._meta.model_name}")
                visible = self.model.objects.visible_to(user)
                for spec in specs:
                    meta = spec.model._meta
                    detail = reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[obj.pk])
                    with self.subTest(user=who, url=detail):
                        self.assertIn(self.client.get(detail).status_code, REFUSED)
                    urls = []
                    if spec.editable:
                        urls.append(reverse(f"{meta.app_label}:{meta.model_name}_edit", args=[obj.pk]))
                    urls += [
                        reverse(f"{meta.app_label}:{meta.model_name}_{a.name}", args=[obj.pk])
                        for a in spec.actions
                    ]
                    rows = spec.model._base_manager.filter(pk=obj.pk)
                    version = (
                        rows.values_list("version", flat=True).get() if hasattr(obj, "version") else None
                    )
                    audits = AuditEntry.objects.count()
                    for url in urls:
                        with self.subTest(user=who, url=url):
                            self.assertIn(self.client.get(url).status_code, REFUSED)
                            self.assertIn(self.client.post(url, {}).status_code, REFUSED)
                    self.assertEqual(AuditEntry.objects.count(), audits, f"{who} wrote through {urls}")
                    if version is not None:
                        self.assertEqual(rows.values_list("version", flat=True).get(), version)
                    if not readable:
                        continue
                    list_url = reverse(f"{meta.app_label}:{meta.model_name}_list")
                    for query in id_filters(spec.filterset, obj):
                        with self.subTest(user=who, query=query):
                            response = self.client.get(list_url, query)
                            self.assertEqual(response.status_code, 200)
                            pks = {row.record.pk for row in response.context["table"].page.object_list}
                            self.assertNotIn(obj.pk, pks)
                            exported = self.client.get(list_url, {**query, "export": "xlsx"})
                            body = b"".join(exported.streaming_content)
                            rows = (
                                CalamineWorkbook.from_filelike(io.BytesIO(body))
                                .get_sheet_by_index(0)
                                .to_python()
                            )
                            # What the list holds under the same filter, asked as the user (a relation
                            # outside their scope is not a valid choice: the list is then empty).
                            request = RequestFactory().get(list_url, query)
                            request.user = user
                            filtered = spec.filterset(query, queryset=visible, request=request)
                            expected = filtered.qs.count() if filtered.is_valid() else 0
                            self.assertEqual(len(rows) - 1, expected, f"{who} exported {query}")

    # Writes ------------------------------------------------------------------------------------
    def _post(self, url: str, data: dict[str, Any]):
        return self.client.post(url, {k: _form_value(v) for k, v in data.items()})

    def test_create_writes_through_the_service_and_audits(self):
        self.login()
        self.assertEqual(self.client.get(reverse(self.name("add"))).status_code, 200)
        data = self.create_data(self.w)  # may itself create records (and audit entries)
        before, last = self.count(), AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        response = self._post(reverse(self.name("add")), data)
        form = response.context["form"] if response.context and "form" in response.context else None
        self.assertEqual(response.status_code, 302, form.errors if form else response)
        self.assertEqual(self.count(), before + 1)
        # The service's entry (a service may write more, for what it creates along the way).
        new = list(AuditEntry.objects.filter(seq__gt=last or 0))
        expected = f"{self.model._meta.label_lower}.{self.audit_verbs['create']}"
        self.assertEqual([e.action for e in new].count(expected), 1, [e.action for e in new])
        self.assertTrue(all(e.actor == self.user for e in new))

    def test_create_with_bad_input_writes_nothing(self):
        self.login()
        data, field = self.invalid_data(self.w)
        before, audits = self.count(), AuditEntry.objects.exclude(action__endswith="_refused").count()
        response = self._post(reverse(self.name("add")), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn(field, response.context["form"].errors)
        self.assertEqual(self.count(), before)
        # Nothing written but, for a workflow service, the record that the attempt was refused.
        self.assertEqual(AuditEntry.objects.exclude(action__endswith="_refused").count(), audits)

    def test_edit_records_before_and_after(self):
        self.login()
        obj = self.inside(self.w)
        url = reverse(self.name("edit"), args=[obj.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        # As a browser does: the edit carries the version the form was opened at.
        response = self._post(url, {"version": obj.version, **self.update_data(self.w, obj)})
        self.assertEqual(response.status_code, 302, response.context and response.context["form"].errors)
        entry = AuditEntry.objects.order_by("-seq").first()
        self.assertEqual(entry.action, f"{self.model._meta.label_lower}.{self.audit_verbs['update']}")
        self.assertTrue(entry.changed_fields(), "an edit must record what changed")

    def test_edit_out_of_scope_is_404(self):
        self.login()
        obj = self.outside(self.w)
        self.assertEqual(self.client.get(reverse(self.name("edit"), args=[obj.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse(self.name("edit"), args=[obj.pk]), {}).status_code, 404)

    def test_edit_based_on_a_stale_version_is_refused_showing_both(self):
        self.login()
        obj = self.inside(self.w)
        url = reverse(self.name("edit"), args=[obj.pk])
        opened_at = obj.version
        first = self._post(url, {"version": opened_at, **self.update_data(self.w, obj)})
        self.assertEqual(first.status_code, 302)
        audits = AuditEntry.objects.count()
        # A second edit opened before the first was saved: refused, both versions shown.
        stale = self._post(url, {"version": opened_at, **self.update_data(self.w, obj)})
        self.assertEqual(stale.status_code, 200)
        self.assertIn("conflict", stale.context)
        self.assertTrue(stale.context["form"].non_field_errors())
        self.assertEqual(AuditEntry.objects.count(), audits)
        # Saving again from the conflict page is a deliberate choice, based on the new version.
        again = self._post(
            url, {**self.update_data(self.w, obj), "version": stale.context["form"].data["version"]}
        )
        self.assertEqual(again.status_code, 302)

    def _list_queries(self) -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        url = reverse(self.name("list"))
        self.client.get(url)  # warm per-process caches (content types, translations)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries), response.context["table"].paginator.count

    def test_list_query_count_does_not_grow_with_rows(self):
        """No query per row: the list costs the same with one more row (a pinned, row-free cost)."""
        self.login()
        queries, rows = self._list_queries()
        response = self._post(reverse(self.name("add")), self.create_data(self.w))
        self.assertEqual(response.status_code, 302)
        queries_after, rows_after = self._list_queries()
        self.assertEqual(rows_after, rows + 1)
        self.assertEqual(queries_after, queries, "the list page runs a query per row")

    def test_read_only_has_no_add_page(self):
        from django.urls import NoReverseMatch

        with self.assertRaises(NoReverseMatch):
            reverse(self.name("add"))

    def test_add_without_permission_is_403(self):
        self.login(self.w.nobody)
        self.assertEqual(self.client.get(reverse(self.name("add"))).status_code, 403)


class EnterpriseByCode:
    """Mix in before ViewTestCases for a model whose pages take the enterprise typed as its credit
    code (``registry.forms.enterprise_by_code``); the API takes its id."""

    def _post(self, url, data):
        from uplift.registry.models import Enterprise

        if isinstance(data.get("enterprise"), Enterprise):
            data = {**data, "enterprise": data["enterprise"].credit_code}
        return super()._post(url, data)


class APITestCases(ModelTestCase):
    """The REST API: list, retrieve, create, update; scope and permissions."""

    api_basename: ClassVar[str]
    write_tests = (
        "test_api_create_and_update",
        "test_api_bad_input_is_400_naming_the_field",
        "test_api_update_out_of_scope_is_404",
        "test_api_update_based_on_a_stale_version_is_409",
    )

    def url(self, obj: models.Model | None = None) -> str:
        if obj is None:
            return reverse(f"api:{self.api_basename}-list")
        lookup = getattr(self, "api_lookup", "pk")
        return reverse(f"api:{self.api_basename}-detail", args=[getattr(obj, lookup)])

    def api_login(self, user=None):
        self.client.force_login(user or self.user)

    def test_api_anonymous_is_refused(self):
        self.assertIn(self.client.get(self.url()).status_code, (401, 403))

    def test_api_without_permission_is_403(self):
        self.api_login(self.w.nobody)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_api_list_in_scope_only(self):
        self.api_login()
        response = self.client.get(self.url(), {"page_size": 500})
        self.assertEqual(response.status_code, 200)
        data = response.json()
        rows = data["results"] if isinstance(data, dict) else data
        pk_name = self.model._meta.pk.name
        keys = {str(r.get("id", r.get(pk_name))) for r in rows}
        self.assertIn(str(self.inside(self.w).pk), keys)
        if not self.sees_everything:
            self.assertNotIn(str(self.outside(self.w).pk), keys)

    def test_api_retrieve_out_of_scope_is_404(self):
        self.api_login()
        self.assertEqual(self.client.get(self.url(self.inside(self.w))).status_code, 200)
        self.assertEqual(self.client.get(self.url(self.outside(self.w))).status_code, 404)

    def test_api_every_role_is_refused_records_outside_its_scope(self):
        """The scope matrix through the API: retrieve, update and every workflow step by id, and
        the list filtered by the record's relations, for every user of the cast who may not see it."""
        from uplift.api.urls import router

        viewset = next(v for _prefix, v, basename in router.registry if basename == self.api_basename)
        steps = [a.name for a in getattr(viewset, "workflow", ())]
        for obj in {self.inside(self.w), self.outside(self.w)}:
            for user, who in scope_attempts(obj, self.w):
                self.client.force_login(user)
                audits = AuditEntry.objects.count()
                url = self.url(obj)
                with self.subTest(user=who, url=url):
                    self.assertIn(self.client.get(url).status_code, REFUSED)
                    self.assertIn(
                        self.client.patch(url, {}, content_type="application/json").status_code,
                        REFUSED + (405,),
                    )
                    for step in steps:
                        response = self.client.post(f"{url}{step}/", {}, content_type="application/json")
                        self.assertIn(response.status_code, REFUSED, f"{who} POST {url}{step}/")
                self.assertEqual(AuditEntry.objects.count(), audits, f"{who} wrote through {url}")
                if not user.has_perm(f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"):
                    continue
                pk_name = self.model._meta.pk.name
                for query in id_filters(getattr(viewset, "filterset_class", None), obj):
                    with self.subTest(user=who, query=query):
                        response = self.client.get(self.url(), {**query, "page_size": 500})
                        # 400: a relation outside the scope is not a valid choice, like a missing one.
                        self.assertIn(response.status_code, (200, 400))
                        if response.status_code == 400:
                            continue
                        data = response.json()
                        rows = data["results"] if isinstance(data, dict) else data
                        keys = {str(r.get("id", r.get(pk_name))) for r in rows}
                        self.assertNotIn(str(obj.pk), keys)

    def _json(self, data: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in data.items():
            v = _form_value(v)
            out[k] = v.isoformat() if isinstance(v, datetime.date) else (None if v == "" else v)
        return out

    def test_api_create_and_update(self):
        self.api_login()
        before = self.count()
        response = self.client.post(
            self.url(), self._json(self.create_data(self.w)), content_type="application/json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.count(), before + 1)
        obj = self.inside(self.w)
        response = self.client.patch(
            self.url(obj), self._json(self.update_data(self.w, obj)), content_type="application/json"
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_api_bad_input_is_400_naming_the_field(self):
        self.api_login()
        data, field = self.invalid_data(self.w)
        before = self.count()
        response = self.client.post(self.url(), self._json(data), content_type="application/json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("non_field_errors" if field == "__all__" else field, response.json())
        self.assertEqual(self.count(), before)

    def test_api_update_based_on_a_stale_version_is_409(self):
        self.api_login()
        obj = self.inside(self.w)
        data = self._json({"version": obj.version, **self.update_data(self.w, obj)})
        self.assertEqual(
            self.client.patch(self.url(obj), data, content_type="application/json").status_code, 200
        )
        audits = AuditEntry.objects.count()
        response = self.client.patch(self.url(obj), data, content_type="application/json")
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(response.json()["current"]["version"], obj.version + 1)
        self.assertEqual(AuditEntry.objects.count(), audits)

    def test_api_read_only_refuses_writes(self):
        self.api_login()
        before = self.count()
        self.assertEqual(self.client.post(self.url(), {}, content_type="application/json").status_code, 405)
        obj = self.inside(self.w)
        self.assertEqual(
            self.client.patch(self.url(obj), {}, content_type="application/json").status_code, 405
        )
        self.assertEqual(self.count(), before)

    def test_api_update_out_of_scope_is_404(self):
        self.api_login()
        obj = self.outside(self.w)
        response = self.client.patch(self.url(obj), {}, content_type="application/json")
        self.assertEqual(response.status_code, 404)
