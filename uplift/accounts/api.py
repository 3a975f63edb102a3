"""REST API of API tokens: list one's own (the security administrator: everyone's), create one
(the answer holds its key, the only time it is shown), revoke one."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.response import Response

from uplift.core.api import ReadOnlyObjectViewSet, as_drf_error

from . import filtersets, services
from .choices import TokenScope
from .models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, ApiToken
from .views import apitoken_views


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as lists show it: never its key (only its prefix, to recognise it)."""

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "scope",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_by",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True,
        help_text="The key, shown this once: send it as `Authorization: Bearer <key>`. "
        "Only its hash is kept.",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")
    scope = serializers.ChoiceField(
        choices=TokenScope.choices,
        default=TokenScope.READ,
        help_text="read: GET, HEAD and OPTIONS only; write: what the user may do.",
    )
    expires_at = serializers.DateTimeField(
        required=False,
        help_text=f"When it stops working: {TOKEN_DEFAULT_DAYS} days from now unless given, "
        f"at most {TOKEN_MAX_DAYS} days away.",
    )


class ApiTokenViewSet(mixins.CreateModelMixin, ReadOnlyObjectViewSet):
    """Personal API tokens. ``POST`` creates one of yours and answers its key, once (create it
    signed in: a token cannot create tokens); ``POST <id>/revoke/`` revokes one."""

    serializer_class = ApiTokenSerializer
    filterset_class = filtersets.ApiTokenFilterSet
    select_related = ("user", "revoked_by")
    workflow = tuple(apitoken_views.actions)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        if isinstance(request.auth, ApiToken):
            # Else a leaked token could mint fresh ones that outlive its revocation.
            raise exceptions.PermissionDenied(
                _("A token cannot create another token: sign in to create one.")
            )
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token, key = services.token_create(actor=request.user, user=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        token.key = key
        body = ApiTokenCreatedSerializer(token, context=self.get_serializer_context()).data
        return Response(body, status=201, headers={"Cache-Control": "no-store"})
