"""How the OpenAPI schema describes API token authentication (loaded by AccountsConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "uplift.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "upl_…",
            "description": (
                "A personal API token (My API tokens, or `uplift token create`): "
                "`Authorization: Bearer upl_…`. A read-only token may only read."
            ),
        }
