"""The API of a user's notifications: their own only; mark one or all read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from uplift.accounts.authentication import TokenScopePermission
from uplift.core.api import ReadOnlyObjectViewSet

from . import services
from .filtersets import NotificationFilterSet
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True, help_text="What happened, in the reader's language.")
    record_type = serializers.SerializerMethodField(help_text="The record's model, e.g. delivery.activity.")
    link = serializers.CharField(source="target_url", read_only=True, help_text="The record's page.")
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "record_type",
            "object_id",
            "link",
            "actor",
            "actor_name",
            "data",
            "created_at",
            "read_at",
            "emailed_at",
        ]
        read_only_fields = fields

    def get_record_type(self, obj: Notification) -> str | None:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct is not None else None

    def get_actor_name(self, obj: Notification) -> str:
        return str(obj.actor) if obj.actor is not None else ""


#: Marking read needs only to be signed in (the rows are one's own); a read-only token may not.
WRITE = [permissions.IsAuthenticated, TokenScopePermission]


class NotificationViewSet(ReadOnlyObjectViewSet):
    """The signed-in user's notifications, unread first (``?status=unread``, ``?kind=...``).
    ``POST <id>/read/`` marks one read, ``POST read-all/`` all of them."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    select_related = ("actor", "content_type")

    @extend_schema(
        summary="Mark the notification read", request=None, responses={200: NotificationSerializer}
    )
    @action(detail=True, methods=["post"], url_path="read", url_name="read", permission_classes=WRITE)
    def read(self, request, *args, **kwargs):
        notification = self.get_object()  # 404 for anyone but its recipient
        if notification.recipient_id != request.user.pk:
            raise exceptions.NotFound()  # a superuser reads everyone's, but opens only their own
        services.notification_open(actor=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark every notification read",
        request=None,
        responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()})},
    )
    @action(
        detail=False, methods=["post"], url_path="read-all", url_name="read-all", permission_classes=WRITE
    )
    def read_all(self, request, *args, **kwargs):
        return Response({"marked": services.notifications_read_all(actor=request.user)})
