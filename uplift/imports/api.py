"""REST API of imports: upload a spreadsheet (``POST``, multipart), read the runs and their
problems, import a checked file for real, revert an import."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action as drf_action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from uplift.core.api import ReadOnlyObjectViewSet, as_drf_error, with_inputs
from uplift.core.views import run_service

from . import filtersets, services
from .forms import MAX_UPLOAD
from .kinds import KINDS
from .models import ImportProblem, ImportRun
from .views import importrun_views


class ImportRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "file_name",
            "size",
            "sha256",
            "status",
            "dry_run",
            "partial",
            "header_row",
            "rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "message",
            "seconds",
            "created_by",
            "region",
            "created_at",
            "reverted_at",
            "version",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    """``multipart/form-data``: the kind of records, the file, and how to import it."""

    kind = serializers.ChoiceField(choices=[])
    file = serializers.FileField(max_length=255)
    dry_run = serializers.BooleanField(default=False, help_text="Check and report; write nothing.")
    partial = serializers.BooleanField(
        default=False, help_text="Import the valid rows even when others are rejected."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, str(k.label)) for k in KINDS.values()]

    def validate_file(self, value):
        if value.size > MAX_UPLOAD:
            raise serializers.ValidationError(f"The file is larger than {MAX_UPLOAD} bytes.")
        return value


class PartialSerializer(serializers.Serializer):
    partial = serializers.BooleanField(default=False)


class ImportProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportProblem
        fields = ["row", "field", "message"]


class ImportRunViewSet(mixins.CreateModelMixin, ReadOnlyObjectViewSet):
    """Spreadsheet imports: ``POST`` a file to check it (``dry_run``) or import it, all or nothing
    (or the valid rows with ``partial``); the run says what was created, updated, unchanged and
    rejected, and ``problems/`` lists each rejected cell."""

    serializer_class = ImportRunSerializer
    filterset_class = filtersets.ImportRunFilterSet
    select_related = ("created_by", "region")
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    workflow = with_inputs(importrun_views.actions, commit=PartialSerializer)

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportRunSerializer})
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            run = run_service(
                services.import_start,
                request.user,
                kind=data["kind"],
                file=data["file"].file,
                name=data["file"].name,
                dry_run=data["dry_run"],
                partial=data["partial"],
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(self.get_serializer(run).data, status=201)

    @extend_schema(
        summary="The problems found, per row and column", responses={200: ImportProblemSerializer(many=True)}
    )
    @drf_action(detail=True, methods=["get"], url_path="problems", url_name="problems")
    def problems(self, request, *args, **kwargs):
        run = self.get_object()
        page = self.paginate_queryset(run.problems.all())
        return self.get_paginated_response(ImportProblemSerializer(page, many=True).data)
