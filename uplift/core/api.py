"""Base REST API classes: the same scope and services as the pages.

``ObjectViewSet`` reads through ``visible_to(request.user)`` (out of scope is 404, like missing),
checks model permissions (view for reads), writes through the model's services with the
serializer's validated data, and re-checks scope after the write.
"""

from __future__ import annotations

from types import ModuleType

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, mixins, serializers, viewsets

from .services import ConflictError
from .views import run_service


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


class ObjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve, create and update one model; no delete (records are corrected, not lost)."""

    services: ModuleType | None = None
    service_prefix = ""
    select_related: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        qs = model.objects.visible_to(self.request.user)
        return qs.select_related(*self.select_related) if self.select_related else qs

    def _service(self, verb: str):
        model = self.serializer_class.Meta.model
        prefix = self.service_prefix or model._meta.model_name
        return getattr(self.services, f"{prefix}_{verb}")

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
