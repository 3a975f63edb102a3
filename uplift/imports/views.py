"""Pages of imports: the runs (list, detail with the problems found, revert), the upload page,
the template of each kind and the error report of a rejected file."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from uplift.core.export import file_response
from uplift.core.views import (
    Action,
    ObjectViews,
    SpecMixin,
    apply_validation_error,
    progress_card,
    run_service,
)

from . import filtersets, selectors, services, tables
from .choices import RunStatus
from .forms import ImportCheckedForm, ImportForm, RevertForm
from .kinds import KINDS
from .models import ImportRun
from .workbooks import write_error_report, write_template


class ImportUploadView(SpecMixin, FormView):
    """Upload a spreadsheet: checked only (the default), or imported all or nothing."""

    action = "add"
    form_class = ImportForm
    template_name = "imports/importrun_add.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return {"kind": self.request.GET.get("kind", "")}

    def form_valid(self, form: ImportForm):
        upload = form.cleaned_data["file"]
        try:
            run = run_service(
                services.import_start,
                self.request.user,
                kind=form.cleaned_data["kind"],
                file=upload.file,
                name=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                partial=form.cleaned_data["partial"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(run.get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = [k for k in KINDS.values() if k.allowed(self.request.user)]
        return ctx


class TemplateView(LoginRequiredMixin, View):
    """The template workbook of one kind."""

    def get(self, request, kind: str):
        spec = KINDS.get(kind)
        if spec is None or not spec.allowed(request.user):
            raise Http404
        return file_response(lambda f: write_template(spec, f), f"{spec.name}-template.xlsx")


class ErrorReportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A rejected (or checked) file given back with its bad cells marked."""

    permission_required = "imports.view_importrun"

    def get(self, request, pk: int):
        run = ImportRun.objects.visible_to(request.user).filter(pk=pk).first()
        if run is None or not run.rejected or not run.file or run.kind not in KINDS:
            raise Http404
        stem = run.file_name.rsplit(".", 1)[0]

        def write(target: Any) -> None:
            with run.file.open("rb") as f:
                write_error_report(run, KINDS[run.kind], f, target)

        return file_response(write, f"{stem}-errors.xlsx")


class ProgressView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The progress card of a queued or running import, polled by its page; once the run is over
    it tells the page to reload (htmx ``HX-Refresh``)."""

    permission_required = "imports.view_importrun"

    def get(self, request, pk: int):
        run = ImportRun.objects.visible_to(request.user).filter(pk=pk).first()
        running = (RunStatus.QUEUED, RunStatus.RUNNING)
        return progress_card(request, run, running, "imports/progress.html", services.progress_of)


def run_extra(run: ImportRun, user: Any) -> dict[str, Any]:
    return {
        "problems": selectors.problems_of(run),
        "kind": KINDS.get(run.kind),
        "progress": services.progress_of(run) if run.status == RunStatus.RUNNING else None,
    }


importrun_views = ObjectViews(
    model=ImportRun,
    table=tables.ImportRunTable,
    filterset=filtersets.ImportRunFilterSet,
    select_related=("created_by", "region"),
    detail_fields=[
        "kind",
        "file_name",
        "size",
        "sha256",
        "status",
        "dry_run",
        "partial",
        "header_row",
        "seconds",
        "message",
        "created_by",
        "region",
        "reverted_at",
    ],
    detail_template="imports/importrun_detail.html",
    detail_extra=run_extra,
    add_view=ImportUploadView,
    actions=[
        Action(
            "commit",
            gettext_lazy("Import this file now"),
            services.import_checked,
            "run",
            permission="add",
            form=ImportCheckedForm,
            when=lambda run, user: run.dry_run and run.status == RunStatus.CHECKED,
            redirect=lambda run, result: result.get_absolute_url(),
            help=gettext_lazy(
                "The file this dry run checked is imported for real (checked again as it goes)."
            ),
        ),
        Action(
            "revert",
            gettext_lazy("Revert this import"),
            services.import_revert,
            "run",
            form=RevertForm,
            danger=True,
            irreversible=True,
            when=lambda run, user: run.wrote,
            help=gettext_lazy(
                "Deletes the records this import created and restores the values it changed. Refused when "
                "those records were changed since or are used by others."
            ),
        ),
    ],
)
