"""Base REST API classes: the same scope and services as the pages.

``ObjectViewSet`` reads through ``visible_to(request.user)`` (out of scope is 404, like missing),
checks model permissions (view for reads), writes through the model's services with the
serializer's validated data, and re-checks scope after the write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from types import ModuleType
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response
from rest_framework.views import APIView

from uplift.accounts.authentication import TokenScopePermission

from .filtersets import AttachmentFilterSet, ExportRunFilterSet
from .models import Attachment, AttachmentKind, HasAttachments
from .services import ConflictError
from .urls import attachment_views
from .views import ATTACH, Action, download_response, export_response, run_service


class Conflict(exceptions.APIException):
    """409: the change was based on a stale version; the body holds the record as saved now."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, exc: ConflictError, current: dict) -> None:
        super().__init__(exc.messages[0])
        self.current = current  # kept typed (not coerced to strings like ``detail``)


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A Django ValidationError as DRF's, keeping the field map (400 with {field: [messages]})."""
    if hasattr(exc, "error_dict"):
        detail = {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        return serializers.ValidationError(detail)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related field whose choices are what the requesting user may pick (else: 'does not exist')."""

    def get_queryset(self):
        from uplift.accounts.access import pickable

        qs = super().get_queryset()
        request = self.context.get("request")
        return pickable(qs, request.user) if request is not None and hasattr(qs, "visible_to") else qs

    def to_internal_value(self, data):
        # A key no record can have: said so, before the database is asked (PostgreSQL refuses a
        # NUL in text with an error, not with "no match").
        if isinstance(data, str) and ("\x00" in data or any("\ud800" <= ch <= "\udfff" for ch in data)):
            self.fail("does_not_exist", pk_value=data.encode("unicode_escape").decode())
        return super().to_internal_value(data)


class ScopedModelSerializer(serializers.ModelSerializer):
    """ModelSerializer with scoped related fields, that never saves: the viewset calls services.

    Every record carries ``version``: read it, send it back with a change, and a change based on
    a version someone else has since replaced answers 409 instead of overwriting theirs.
    """

    serializer_related_field = ScopedRelatedField

    def get_fields(self):
        fields = super().get_fields()
        if hasattr(self.Meta.model, "version"):
            fields["version"] = serializers.IntegerField(
                required=False,
                min_value=1,
                help_text="The version this change is based on (from a previous read).",
            )
        return fields

    def create(self, validated_data):  # pragma: no cover - guard
        raise NotImplementedError("Serializers never save: the viewset calls the model's service.")

    update = create


class AttachmentSerializer(serializers.ModelSerializer):
    """An evidence file as the API shows it; ``download`` is where its bytes are."""

    record_type = serializers.SerializerMethodField(help_text="The record's model, e.g. delivery.activity.")
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "record_type",
            "object_id",
            "kind",
            "name",
            "description",
            "section",
            "media_type",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
            "removed_at",
            "removed_by",
            "removal_reason",
            "version",
            "download",
        ]
        read_only_fields = fields

    def get_record_type(self, obj: Attachment) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_download(self, obj: Attachment) -> str:
        request = self.context.get("request")
        url = obj.get_download_url()
        return request.build_absolute_uri(url) if request is not None else url


class AttachmentUploadSerializer(serializers.Serializer):
    """``multipart/form-data``: the file, its kind and a description. The file's real type and
    size are checked by the service (:mod:`uplift.core.uploads`)."""

    file = serializers.FileField(max_length=255, allow_empty_file=True)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    section = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The part of the record the file is evidence for (a self-assessment's item code, say).",
    )


def _workflow_endpoint(act: Action, response_serializer: type) -> Any:
    """``POST <record>/<name>/``: the API twin of an :class:`~uplift.core.views.Action`."""

    def handler(self, request, *args, **kwargs):
        obj = self.get_object()
        if not act.allowed(obj, request.user):
            raise exceptions.PermissionDenied()
        inputs: dict[str, Any] = {}
        if act.serializer is not None:
            ser = act.serializer(data=request.data, context=self.get_serializer_context())
            ser.is_valid(raise_exception=True)
            inputs = dict(ser.validated_data)
        try:
            result = run_service(act.service, request.user, **{act.subject: obj}, **inputs)
        except ConflictError as exc:
            raise Conflict(exc, self.get_serializer(exc.current).data) from exc
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        if act.response_serializer is not None:
            context = self.get_serializer_context()
            return Response(act.response_serializer(result, context=context).data, status=201)
        model = self.serializer_class.Meta.model
        return Response(self.get_serializer(result if isinstance(result, model) else obj).data)

    handler.__name__ = act.name
    handler.__doc__ = str(act.help or act.label)
    responses = {201: act.response_serializer} if act.response_serializer else {200: response_serializer}
    # Permissions are the action's own (checked above): DRF's POST -> "add" mapping does not apply.
    # A read-only API token still may not run a step.
    handler = drf_action(
        detail=True,
        methods=["post"],
        url_path=act.name,
        url_name=act.name,
        permission_classes=[permissions.IsAuthenticated, TokenScopePermission],
    )(handler)
    # After @action, which replaces the function's ``kwargs`` where drf-spectacular keeps its own.
    return extend_schema(summary=str(act.label), request=act.serializer, responses=responses)(handler)


def with_inputs(actions: Iterable[Action], **inputs: type) -> tuple[Action, ...]:
    """The pages' actions, with the API serializers of those that take inputs (``cancel=Reason``)."""
    return tuple(replace(a, serializer=inputs[a.name]) if a.name in inputs else a for a in actions)


class ReadOnlyObjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and retrieve one model through ``visible_to``; writes only through its workflow actions.

    ``workflow`` lists the model's :class:`~uplift.core.views.Action` declarations (the same as its
    pages'); each becomes ``POST .../<pk>/<name>/``.
    """

    select_related: tuple[str, ...] = ()
    workflow: tuple[Action, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        workflow = [a for a in cls.__dict__.get("workflow", ()) if a is not ATTACH]
        serializer = cls.__dict__.get("serializer_class")
        if serializer is not None and issubclass(serializer.Meta.model, HasAttachments):
            # Every record that takes files takes them through the API too: POST .../<pk>/attach/.
            workflow.append(
                replace(
                    ATTACH, serializer=AttachmentUploadSerializer, response_serializer=AttachmentSerializer
                )
            )
        for act in workflow:
            setattr(cls, act.name, _workflow_endpoint(act, cls.serializer_class))

    def initial(self, request, *args, **kwargs):
        # A method this route does not offer is 405 for everyone, before permissions say 403.
        mapped = getattr(self, "action_map", None)
        if mapped and request.method.lower() not in mapped and request.method not in ("HEAD", "OPTIONS"):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        qs = model.objects.visible_to(self.request.user)
        return qs.select_related(*self.select_related) if self.select_related else qs


class ObjectViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyObjectViewSet):
    """List, retrieve, create and update one model; no delete (records are corrected, not lost)."""

    services: ModuleType | None = None
    service_prefix = ""
    #: service names for the verbs when they differ from ``<prefix>_<verb>`` (as ObjectViews.verbs)
    verbs: dict[str, str] = {}  # noqa: RUF012
    search_fields: tuple[str, ...] = ()

    def _service(self, verb: str):
        model = self.serializer_class.Meta.model
        prefix = self.service_prefix or model._meta.model_name
        return getattr(self.services, self.verbs.get(verb, f"{prefix}_{verb}"))

    def perform_create(self, serializer):
        try:
            serializer.instance = run_service(
                self._service("create"), self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def perform_update(self, serializer):
        instance = serializer.instance
        try:
            serializer.instance = run_service(
                self._service("update"), self.request.user, instance=instance, **serializer.validated_data
            )
        except ConflictError as exc:
            raise Conflict(exc, self.get_serializer(exc.current).data) from exc
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class ReasonSerializer(serializers.Serializer):
    """The API twin of :class:`uplift.core.forms.ReasonForm`."""

    reason = serializers.CharField(max_length=4000)


class AttachmentViewSet(ReadOnlyObjectViewSet):
    """Evidence files of the records the user may see. Attach one with ``POST <record>/attach/``
    (e.g. ``/api/delivery/activities/12/attach/``); ``?record=delivery.activity&object_id=12``
    lists a record's files; ``download/`` answers the bytes."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilterSet
    select_related = ("content_type",)
    workflow = with_inputs(attachment_views.actions, remove=ReasonSerializer)

    @extend_schema(summary="Download the file", responses={(200, "application/octet-stream"): bytes})
    @drf_action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, *args, **kwargs):
        return download_response(self.get_object())


class ExportRunSerializer(serializers.ModelSerializer):
    class Meta:
        from .models import ExportRun

        model = ExportRun
        fields = [
            "id",
            "list_name",
            "query",
            "title",
            "language",
            "status",
            "expected",
            "rows",
            "size",
            "message",
            "seconds",
            "created_at",
            "finished_at",
        ]
        read_only_fields = [f for f in fields if f not in ("list_name", "query")]


class ExportRunViewSet(mixins.CreateModelMixin, ReadOnlyObjectViewSet):
    """Exports of lists, written by the background worker: ``POST`` a list's URL name
    (``registry:enterprise_list``) and its filters as a query string (``region=420100&q=蕲艾``) to
    start one; the export says how far it is, and ``download/`` answers the xlsx once written. Only
    its owner reads an export."""

    serializer_class = ExportRunSerializer
    filterset_class = ExportRunFilterSet

    def perform_create(self, serializer):
        from django.utils.translation import get_language

        from .exports import export_start

        data = serializer.validated_data
        try:
            serializer.instance = run_service(
                export_start,
                self.request.user,
                list_name=data["list_name"],
                query=data.get("query", ""),
                title=data["list_name"].split(":")[-1].removesuffix("_list"),
                language=get_language() or "zh-hans",
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    @extend_schema(
        summary="Download the written export",
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes},
    )
    @drf_action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, *args, **kwargs):
        return export_response(self.get_object())  # get_object: 404 for anyone but the owner


# --- My work -------------------------------------------------------------------------------------


class WorkItemSerializer(serializers.Serializer):
    """One kind of work waiting for the user (``uplift.core.work.WorkItem``)."""

    key = serializers.CharField(
        help_text="Stable name of the source, app.what: delivery.activities_to_approve."
    )
    label = serializers.CharField(help_text="What waits, in the user's language.")
    count = serializers.IntegerField(help_text="How many records wait (0: nothing waiting).")
    url = serializers.CharField(help_text="The list page filtered to exactly these records.")
    api_url = serializers.CharField(
        allow_null=True,
        help_text="The same records from the API (the list's filters), if it has an endpoint.",
    )
    tone = serializers.ChoiceField(
        choices=["overdue", "action", "info"],
        help_text="overdue: past a deadline; action: the user's move; info: worth knowing.",
    )
    overdue = serializers.BooleanField(help_text="Past a deadline.")
    hint = serializers.CharField(help_text="What to do about it (may be empty).")


class MyWorkAPIView(APIView):
    """``GET /api/my-work/``: what waits for the signed-in user, as on their "my work" page."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    @extend_schema(
        operation_id="my_work",
        summary="What waits for me",
        description=(
            "One item per kind of work the user's roles and permissions give them (activities to "
            "approve, problems overdue, bids to score...), most pressing first, each with the number "
            "of records waiting and the list that shows exactly them. Counts read only the records "
            "the user may see."
        ),
        responses=WorkItemSerializer(many=True),
        tags=["my-work"],
    )
    def get(self, request: Any) -> Response:
        from .work import work_items

        return Response(WorkItemSerializer(work_items(request.user), many=True).data)
