"""Base pages: a model declares its table, filters, form and services once; these do the rest.

``ObjectViews(model=..., table=..., filterset=..., form=..., services=...)`` yields the list (with
filters, search and xlsx export), detail, create and edit pages of a model, all of which read
through ``Model.objects.visible_to(user)`` and write through the model's services. Each declaration
is kept in ``ObjectViews.registry`` so the navigation and the generic tests find every model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from uplift.accounts.access import is_visible

from . import audit, selectors
from .display import readable, readable_history
from .export import XLSX, xlsx_response
from .forms import AttachmentForm, UserBoundForm
from .models import HasAttachments
from .paging import CappedPaginator
from .services import ConflictError, attachment_add, attachments_closed_reason
from .tables import MoneyColumn, table_values


def perm(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def url_name(model: type[models.Model], page: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{page}"


def apply_validation_error(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def scope_error() -> ValidationError:
    return ValidationError(
        _("The record would fall outside the area you are responsible for, so it was not saved.")
    )


def run_service(service: Callable[..., models.Model], user: Any, /, **kwargs: Any) -> models.Model:
    """Call a write service and re-check that the user may still see its result; roll back if not.

    A refused workflow attempt is audited again here, outside the rolled-back transaction (see
    :func:`uplift.core.audit.refusals_recorded`).
    """
    try:
        with transaction.atomic():
            obj = service(actor=user, **kwargs)
            # A step may answer with something other than a record (how many participants it
            # added); the record it acted on was in the user's scope already.
            if isinstance(obj, models.Model) and obj.pk is not None and not is_visible(obj, user):
                raise scope_error()
    except ValidationError as exc:
        if hasattr(exc, "refusal"):
            audit.record_refusal(exc.refusal)
        raise
    return obj


def _always(obj: Any, user: Any) -> bool:
    return True


@dataclass
class Action:
    """A workflow step on one record (publish a tender, withdraw a bid), declared once.

    The record's page shows it as a button to users who hold ``permission`` on the model when
    ``when(obj, user)`` and ``offer(obj, user)`` hold; ``/<pk>/<name>/`` runs it (a confirmation
    page, or ``form`` for its inputs, such as a reason); the API offers ``POST .../<pk>/<name>/``
    with ``serializer`` to those holding ``permission`` when ``when`` holds.
    The service is called as ``service(actor=user, <subject>=obj, **inputs)``; a refusal is shown
    on the page, nothing is written but its audit entry.
    """

    name: str
    label: Any
    service: Callable[..., Any]
    subject: str
    permission: str = "change"
    form: type | None = None
    serializer: type | None = None
    when: Callable[[Any, Any], bool] = _always
    #: a step that takes something away (withdraw, cancel, disqualify, remove): a red button
    danger: bool = False
    #: a step that cannot be undone (award, grade, submit a final score): the page says so
    irreversible: bool = False
    #: what the step does, shown on its page (an irreversible step's says what becomes final)
    help: Any = ""
    #: the API's answer when the step creates another record (attaching a file answers the file)
    response_serializer: type | None = None
    #: where the page goes after the step: the record itself unless this says otherwise
    redirect: Callable[[Any, Any], str] | None = None
    #: whether the page offers the button to this user, besides ``when``: not to one the service
    #: would refuse for who they are (an officer approving their own submission). Only the button:
    #: the step's page and the API still run the service, which refuses saying why (and audits it).
    offer: Callable[[Any, Any], bool] = _always

    def allowed(self, obj: Any, user: Any) -> bool:
        return user.has_perm(perm(type(obj), self.permission)) and self.when(obj, user)

    def offered(self, obj: Any, user: Any) -> bool:
        """Whether the record's page shows the step as a button to ``user``."""
        return self.allowed(obj, user) and self.offer(obj, user)

    @property
    def confirmed(self) -> bool:
        """Whether the record's button leads to the step's own page (its inputs, or a
        confirmation saying what will happen) rather than running it at once: any step with
        inputs, and every dangerous or irreversible one."""
        return self.form is not None or self.danger or self.irreversible


@dataclass
class ObjectViews:
    """The pages of one model, declared once."""

    model: type[models.Model]
    table: type
    filterset: type
    form: type | None = None
    services: ModuleType | None = None
    service_prefix: str = ""  # "cluster" -> services.cluster_create / cluster_update
    detail_fields: list[str] = field(default_factory=list)
    detail_template: str = "core/object_detail.html"
    select_related: tuple[str, ...] = ()
    #: relations fetched in one query per list page (a generic foreign key, say): names or Prefetch
    prefetch_related: tuple[Any, ...] = ()
    #: (obj, user) -> extra context for the detail page; its reads must use visible_to(user).
    detail_extra: Callable[[Any, Any], dict[str, Any]] | None = None
    #: workflow steps offered on the record's page (see :class:`Action`)
    actions: list[Action] = field(default_factory=list)
    #: service function names for the plain verbs when they differ from ``<prefix>_<verb>``,
    #: e.g. ``{"create": "bid_submit"}``
    verbs: dict[str, str] = field(default_factory=dict)
    #: listed in the side navigation (records reached from their parent's page say False)
    nav: bool = True
    #: extra columns of the list computed in its query, e.g. ``{"participation_count": Count(...)}``
    list_annotations: dict[str, Any] = field(default_factory=dict)
    #: whether a record may still be edited at all (a closed problem, a graded acceptance may not);
    #: the page hides its Edit button and the edit page sends the user back. The service decides.
    can_edit: Callable[[Any, Any], bool] = _always
    #: the page that adds a record when it is not the model's form (an upload, say): a view class
    #: taking ``spec``, served at ``<prefix>/add/``
    add_view: type | None = None
    #: what an empty list (no filters) says about where its records come from, when neither an
    #: Add nor an Import button answers it
    empty_help: Any = ""
    #: the field naming the record this one belongs to (a payment's contract), for records reached
    #: from their parent's page: the breadcrumbs then go through the parent
    parent: str = ""

    registry: ClassVar[list[ObjectViews]] = []

    def __post_init__(self) -> None:
        self.service_prefix = self.service_prefix or self.model._meta.model_name
        if issubclass(self.model, HasAttachments) and not any(a.name == "attach" for a in self.actions):
            self.actions = [*self.actions, ATTACH]
        ObjectViews.registry.append(self)

    # --- services ---
    def service(self, verb: str) -> Callable[..., models.Model] | None:
        if self.services is None:
            return None
        name = self.verbs.get(verb, f"{self.service_prefix}_{verb}")
        fn = getattr(self.services, name, None)
        if fn is None:
            raise AttributeError(f"{self.services.__name__} has no {name}")
        return fn

    @property
    def editable(self) -> bool:
        return self.form is not None and self.services is not None

    @property
    def addable(self) -> bool:
        return self.editable or self.add_view is not None

    # --- url patterns ---
    def urls(self, prefix: str) -> list:
        name = self.model._meta.model_name
        # An integer key only matches digits, so /enterprises/abc/ is a 404, not a query error.
        pk = "int:pk" if isinstance(self.model._meta.pk, models.AutoField | models.BigAutoField) else "str:pk"
        patterns = [
            path(f"{prefix}/", ObjectListView.as_view(spec=self), name=f"{name}_list"),
            path(f"{prefix}/<{pk}>/", ObjectDetailView.as_view(spec=self), name=f"{name}_detail"),
        ]
        if self.add_view is not None:
            patterns.append(path(f"{prefix}/add/", self.add_view.as_view(spec=self), name=f"{name}_add"))
        if self.editable:
            patterns += [
                path(f"{prefix}/add/", ObjectEditView.as_view(spec=self), name=f"{name}_add"),
                path(f"{prefix}/<{pk}>/edit/", ObjectEditView.as_view(spec=self), name=f"{name}_edit"),
            ]
        patterns += [
            path(
                f"{prefix}/<{pk}>/{action.name}/",
                ObjectActionView.as_view(spec=self, act=action),
                name=f"{name}_{action.name}",
            )
            for action in self.actions
        ]
        # "add/" must win over "<pk>/": put the literal routes first.
        return sorted(patterns, key=lambda p: "<" in str(p.pattern))


class SpecMixin(LoginRequiredMixin, PermissionRequiredMixin):
    spec: ObjectViews = None  # type: ignore[assignment]
    action = "view"

    @property
    def model(self):  # noqa: D401 - Django reads it as an attribute
        return self.spec.model

    def get_permission_required(self):
        return [perm(self.spec.model, self.action)]

    def scoped(self):
        qs = self.spec.model.objects.visible_to(self.request.user)
        if self.spec.select_related:
            qs = qs.select_related(*self.spec.select_related)
        return qs.prefetch_related(*self.spec.prefetch_related) if self.spec.prefetch_related else qs

    def scoped_object(self, pk):
        """The record ``pk`` if the signed-in user may see it (404 otherwise); None without a pk or
        a signed-in user (the login and permission checks answer first)."""
        if pk is None or not self.request.user.is_authenticated:
            return None
        try:
            return self.scoped().get(pk=pk)
        except (self.spec.model.DoesNotExist, ValueError, ValidationError) as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meta = self.spec.model._meta
        user = self.request.user
        ctx.update(
            spec=self.spec,
            verbose_name=meta.verbose_name,
            verbose_name_plural=meta.verbose_name_plural,
            list_url=reverse(url_name(self.spec.model, "list")),
            can_add=self.spec.addable and user.has_perm(perm(self.spec.model, "add")),
            can_change=self.spec.editable and user.has_perm(perm(self.spec.model, "change")),
            add_url=reverse(url_name(self.spec.model, "add")) if self.spec.addable else None,
        )
        ctx.setdefault("crumbs", self.crumbs())
        return ctx

    def crumbs(self, obj: Any = None, leaf: Any = None) -> list[dict[str, Any]]:
        """The breadcrumbs after "Home": the navigation's section, the list (or, for a record
        reached from its parent's page, the parent's list and the parent), the record, then
        ``leaf`` (Edit, an action); the last has no link."""
        from .context_processors import AREAS

        meta = self.spec.model._meta
        # The section is left out where the list has its name (Imports / Imports).
        trail: list[dict[str, Any]] = [
            {"title": title, "url": None, "section": True}
            for label, title in AREAS
            if label == meta.app_label and str(title).lower() != str(meta.verbose_name_plural).lower()
        ]
        parent = getattr(obj, self.spec.parent, None) if self.spec.parent and obj is not None else None
        if parent is not None and hasattr(parent, "get_absolute_url"):
            parent_meta = type(parent)._meta
            try:
                parent_list = reverse(url_name(type(parent), "list"))
            except NoReverseMatch:
                parent_list = None
            trail += [
                {"title": capfirst(parent_meta.verbose_name_plural), "url": parent_list},
                {"title": str(parent), "url": parent.get_absolute_url()},
            ]
        else:
            trail.append(
                {
                    "title": capfirst(meta.verbose_name_plural),
                    "url": reverse(url_name(self.spec.model, "list")),
                }
            )
        if obj is not None:
            trail.append({"title": str(obj), "url": obj.get_absolute_url()})
        if leaf is not None:
            trail.append({"title": leaf, "url": None})
        trail[-1] = {**trail[-1], "url": None}  # the page itself
        return trail


@dataclass
class ExportSource:
    """A list's rows for a spreadsheet: its name, the header, the rows (streamed) and the
    queryset they come from (for counting them)."""

    file_name: str
    sheet: str
    header: list[Any]
    rows: Iterator[list[Any]]
    queryset: models.QuerySet

    @property
    def count(self) -> int:
        return self.queryset.count()


class ObjectListView(SpecMixin, SingleTableMixin, FilterView):
    """A filtered, sortable, paginated table of the records the user may see; ``?export=xlsx``."""

    template_name = "core/object_list.html"
    #: Where a user may bring this model's records in from a spreadsheet: functions
    #: ``(model, user) -> url or None`` that the imports app registers (core knows no app).
    import_links: ClassVar[list[Callable[[type[models.Model], Any], str | None]]] = []
    #: Query parameters that page or sort the list rather than filter it.
    not_filters: ClassVar[frozenset[str]] = frozenset({"page", "sort", "per_page", "export"})
    # The table pages itself (ListView's own paging would count the rows a second time), with a
    # paginator that counts at most 10,000 of them (decision 0008).
    paginate_by = None
    table_pagination = {"per_page": 50, "paginator_class": CappedPaginator}

    def get_queryset(self):
        qs = self.scoped()
        if not self.spec.list_annotations:
            return qs
        # An aggregate groups the rows, and a grouped query ignores Meta.ordering: restate it.
        return qs.annotate(**self.spec.list_annotations).order_by(*self.spec.model._meta.ordering)

    def get_filterset_class(self):
        return self.spec.filterset

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def get_table_class(self):
        return self.spec.table

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # A page past the last (an old link, or past the 10,000th record) shows the last page:
        # say so rather than show it as if it were the page asked for.
        asked, page = self.request.GET.get("page", ""), getattr(ctx.get("table"), "page", None)
        if asked.isdigit() and page is not None and int(asked) != page.number:
            ctx["page_asked"] = int(asked)
        # What an empty list says to do: clear the filters, or add (import) the first record.
        ctx["filtered"] = any(v for k, v in self.request.GET.items() if k not in self.not_filters)
        ctx["import_url"] = next(
            (url for link in self.import_links if (url := link(self.spec.model, self.request.user))), None
        )
        return ctx

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export_source(self) -> ExportSource:
        """What the list shows, scope and filters applied, as rows for a spreadsheet."""
        filterset = self.get_filterset(self.get_filterset_class())
        if filterset.is_bound and not filterset.is_valid():
            # Export what the page would show: with broken filters, nothing rather than everything.
            qs = filterset.queryset.none()
        else:
            qs = filterset.qs
        table = self.spec.table(qs)
        values = table_values(table, exclude=getattr(self.spec.table, "export_exclude", ()))
        meta = self.spec.model._meta
        return ExportSource(
            file_name=f"{meta.model_name}.xlsx",
            sheet=str(meta.verbose_name_plural),
            header=next(values),
            rows=values,
            queryset=qs,
        )

    def export(self):
        """The list as an xlsx download; a list longer than ``UPLIFT_EXPORT_INLINE_ROWS`` is
        written in the background instead (:mod:`uplift.core.exports`) and the user sent to it."""
        from .exports import export_start

        source = self.export_source()
        limit = settings.UPLIFT_EXPORT_INLINE_ROWS
        if source.queryset[: limit + 1].count() > limit:
            query = self.request.GET.copy()
            for name in ("export", "page"):
                query.pop(name, None)
            run = run_service(
                export_start,
                self.request.user,
                list_name=self.request.resolver_match.view_name,
                query=query.urlencode(),
                title=source.sheet,
                language=get_language() or settings.LANGUAGE_CODE,
            )
            messages.info(
                self.request,
                _("The list has more than %(n)s rows: it is being written in the background.")
                % {"n": number_format(limit, force_grouping=True)},
            )
            return HttpResponseRedirect(run.get_absolute_url())
        return xlsx_response(source.file_name, sheet=source.sheet, header=source.header, rows=source.rows)


class ObjectDetailView(SpecMixin, DetailView):
    """One record the user may see (404 if they may not), with its fields and change history."""

    def get_context_object_name(self, obj):
        # Only "object": a model named User must not shadow the signed-in ``user`` in templates.
        return None

    def get_queryset(self):
        return self.scoped()

    def get_template_names(self):
        return [self.spec.detail_template, "core/object_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["crumbs"] = self.crumbs(obj)
        rows = []
        # A field the list shows as money (a MoneyColumn) is money on the record's page too.
        money = {n for n, c in self.spec.table.base_columns.items() if isinstance(c, MoneyColumn)}
        for name in self.spec.detail_fields:
            f = obj._meta.get_field(name)
            if f.many_to_many:
                value = ", ".join(str(v) for v in getattr(obj, name).all()) or None
                link = None
            else:
                value = getattr(obj, name)
                link = (
                    value.get_absolute_url()
                    if isinstance(value, models.Model) and hasattr(value, "get_absolute_url")
                    else None
                )
                value = readable(f, value, money=name in money)
            rows.append({"label": f.verbose_name, "value": value, "link": link})
        if self.spec.detail_extra:
            ctx.update(self.spec.detail_extra(obj, self.request.user))
        user = self.request.user
        if isinstance(obj, HasAttachments):
            ctx["attachments"] = selectors.attachments_of(obj, user)
        actions = [
            {
                "action": a,
                # Templates call callables: a form class is passed as a flag, not itself.
                "has_form": a.form is not None,
                # A step with inputs, a dangerous or an irreversible one is confirmed on its page.
                "confirm": a.confirmed,
                "url": reverse(url_name(self.spec.model, a.name), args=[obj.pk]),
            }
            for a in self.spec.actions
            if a.offered(obj, user)
        ]
        # "Attach a file" is offered in the files' own card, not among the workflow steps.
        ctx["attach_url"] = next((a["url"] for a in actions if a["action"] is ATTACH), None)
        ctx.update(
            attrs=rows,
            actions=[a for a in actions if a["action"] is not ATTACH],
            history=readable_history(selectors.history_of(obj), type(obj), money=money),
            edit_url=reverse(url_name(self.spec.model, "edit"), args=[obj.pk])
            if self.spec.editable and self.spec.can_edit(obj, user)
            else None,
        )
        return ctx


class ObjectEditView(SpecMixin, FormView):
    """Create (no pk) or edit a record through its service; scope is re-checked after the write."""

    template_name = "core/object_form.html"

    @property
    def action(self):  # type: ignore[override]
        return "change" if "pk" in self.kwargs else "add"

    def dispatch(self, request, *args, **kwargs):
        self.object = self.scoped_object(kwargs.get("pk"))
        if self.object is not None and not self.spec.can_edit(self.object, request.user):
            messages.error(request, _("%(name)s can no longer be edited.") % {"name": self.object})
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.spec.form

    def get_initial(self):
        # "Add a role" from a user's page links to ?user=<pk>: start the new record from the query.
        return {**super().get_initial(), **self.request.GET.dict()} if self.object is None else {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        if self.object is not None:
            # The form validates on a copy, so the service sees the record as stored (audit "before").
            kwargs["instance"] = self.spec.model._default_manager.get(pk=self.object.pk)
        return kwargs

    def form_valid(self, form):
        try:
            if self.object is None:
                obj = run_service(self.spec.service("create"), self.request.user, **form.cleaned_data)
            else:
                obj = run_service(
                    self.spec.service("update"), self.request.user, instance=self.object, **form.cleaned_data
                )
        except ConflictError as exc:
            return self.conflict(form, exc)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(name)s.") % {"name": obj})
        return HttpResponseRedirect(obj.get_absolute_url())

    def conflict(self, form, exc: ConflictError):
        """Show the user's values beside the saved ones; saving again deliberately keeps theirs."""
        current = exc.current
        rows = []
        for name, form_field in form.fields.items():
            if name == "version" or name not in form.cleaned_data:
                continue
            mine, theirs = form.cleaned_data[name], getattr(current, name, None)
            if hasattr(theirs, "all"):  # many-to-many
                theirs = list(theirs.all())
                mine = list(mine or [])
            if mine != theirs:
                rows.append({"label": form_field.label, "mine": mine, "theirs": theirs})
        data = form.data.copy()
        data["version"] = current.version
        form.data = data
        form.add_error(None, exc)
        latest = selectors.history_of(current, limit=1)
        return self.render_to_response(
            self.get_context_data(form=form, conflict={"rows": rows, "latest": latest[0] if latest else None})
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object
        ctx["non_field_errors_key"] = NON_FIELD_ERRORS
        ctx["crumbs"] = self.crumbs(self.object, _("Edit") if self.object is not None else _("Add"))
        return ctx


class ObjectActionView(SpecMixin, FormView):
    """Run one workflow step on a record: a confirmation (or its inputs) then the service."""

    template_name = "core/object_action.html"
    act: Action = None  # type: ignore[assignment]

    @property
    def action(self):  # type: ignore[override]
        return self.act.permission

    def dispatch(self, request, *args, **kwargs):
        self.object = self.scoped_object(kwargs.get("pk"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.act.form or ConfirmForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), UserBoundForm):
            kwargs.update(user=self.request.user, obj=self.object)
        return kwargs

    def form_valid(self, form):
        inputs = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
        try:
            result = run_service(
                self.act.service, self.request.user, **{self.act.subject: self.object}, **inputs
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(action)s: done for %(name)s.") % {"action": self.act.label, "name": self.object},
        )
        if self.act.redirect is not None:
            return HttpResponseRedirect(self.act.redirect(self.object, result))
        # A step that removes its record (taking an enterprise off an activity) returns the parent.
        target = result if isinstance(result, models.Model) and result.pk else self.object
        return HttpResponseRedirect(target.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            object=self.object,
            act=self.act,
            non_field_errors_key=NON_FIELD_ERRORS,
            crumbs=self.crumbs(self.object, self.act.label),
        )
        return ctx


class ConfirmForm(forms.Form):
    """The inputs of an action that needs none: the button is the confirmation."""


# --- Evidence files ------------------------------------------------------------------------------


#: "Attach a file": offered on the page (and in the API) of every model that takes attachments.
ATTACH = Action(
    "attach",
    gettext_lazy("Attach a file"),
    attachment_add,
    "parent",
    form=AttachmentForm,
    when=lambda obj, user: attachments_closed_reason(user, obj) is None,
    redirect=lambda obj, result: f"{obj.get_absolute_url()}#attachments",
    help=gettext_lazy("Sign-in sheets, photos, reports: evidence that what is recorded happened."),
)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """The file of an attachment the user may see (404 otherwise), always as a download.

    Served as an attachment with its checked media type (never rendered inline in the site's
    origin), so a crafted file cannot run as a page of Uplift.
    """

    def get(self, request, pk: int):
        from .models import Attachment

        if not request.user.has_perm("core.view_attachment"):
            raise PermissionDenied
        try:
            attachment = Attachment.objects.visible_to(request.user).get(pk=pk)
        except Attachment.DoesNotExist as exc:
            raise Http404 from exc
        return download_response(attachment)


def download_response(attachment: Any) -> FileResponse:
    """An attachment's bytes as a download with its checked media type, never cached (the page's
    and the API's download both answer this); 404 when the file is missing from storage."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage; tell the system administrator.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.media_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


class ExportDownloadView(LoginRequiredMixin, View):
    """The file of a written export, for its owner only (404 for anyone else)."""

    def get(self, request, pk: int):
        from .models import ExportRun, ExportStatus

        run = ExportRun.objects.visible_to(request.user).filter(pk=pk, status=ExportStatus.DONE).first()
        if run is None:
            raise Http404
        return export_response(run)


def export_response(run: Any) -> FileResponse:
    """A written export's file as a download, never cached (the page's and the API's download);
    404 while it is not written or when its file is missing from storage."""
    if run.status != "done" or not run.file:
        raise Http404(_("The export is not written yet."))
    try:
        handle = run.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage; export the list again.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=run.file_name,
        content_type=XLSX,
    )
    response["Cache-Control"] = "private, no-store"
    return response


class ExportProgressView(LoginRequiredMixin, View):
    """The progress card of a queued or running export, polled by its page; once it is over it
    tells the page to reload (htmx ``HX-Refresh``)."""

    def get(self, request, pk: int):
        from .exports import progress_of
        from .models import ExportRun, ExportStatus

        run = ExportRun.objects.visible_to(request.user).filter(pk=pk).first()
        running = (ExportStatus.QUEUED, ExportStatus.RUNNING)
        return progress_card(request, run, running, "core/export_progress.html", progress_of)


def progress_card(request: Any, run: Any, running: tuple[str, ...], template: str, progress_of: Any) -> Any:
    """The progress card of a background job (an import, an export) its page polls: 404 for a job
    the user may not see; once the job is over, an empty answer telling the page to reload
    (htmx ``HX-Refresh``) so that it shows the outcome."""
    from django.http import HttpResponse
    from django.shortcuts import render

    if run is None:
        raise Http404
    if run.status not in running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, template, {"object": run, "progress": progress_of(run)})


def my_work_page(request: Any) -> Any:
    """The "my work" page (我的待办) of a signed-in user: what waits for them, from every app's
    work sources (``uplift.core.work``), then the records they act for and the areas they may open.
    It is also the home page of everyone but a province's officers (``programmes.views.home``)."""
    from django.shortcuts import render

    from uplift.accounts.selectors import own_records

    from .work import work_items

    items = work_items(request.user)
    waiting = [item for item in items if item.waiting]
    dashboard = None
    if request.user.has_perm("programmes.view_target"):
        from uplift.programmes.models import Programme

        # The officer's programme, as the home page picks it for a province's officer.
        dashboard = Programme.objects.visible_to(request.user).order_by("-start_date").first()
    return render(
        request,
        "home.html",
        {
            "work_items": items,
            "waiting": waiting,
            "clear": [item for item in items if not item.waiting],
            "waiting_total": sum(item.count for item in waiting),
            "own_records": own_records(request.user),
            "dashboard_programme": dashboard,
        },
    )


class MyWorkView(LoginRequiredMixin, View):
    """``/work/``: the "my work" page at its own address, for every role (province officers land
    on their dashboard and open this from the navigation)."""

    def get(self, request: Any) -> Any:
        return my_work_page(request)
