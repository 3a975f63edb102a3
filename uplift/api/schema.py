"""Schema post-processing: the error answers every operation can give, documented once.

Clients (and the schemathesis fuzz test) read from the schema that a list may answer 404 for a
page past the end, any call 401/403/429, a write 400 with a field map, an update 409 on a stale
version — rather than discovering them in production.
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors) → messages",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
CONFLICT = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "current": {"type": "object"}},
    "required": ["detail", "current"],
}


def _response(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update({"Error": ERROR, "FieldErrors": FIELD_ERRORS, "Conflict": CONFLICT})
    error, fields, conflict = (f"#/components/schemas/{n}" for n in ("Error", "FieldErrors", "Conflict"))
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", _response("Not signed in, or a bad token", error))
            responses.setdefault("403", _response("No permission for this operation", error))
            responses.setdefault("404", _response("No such record in your scope, or no such page", error))
            responses.setdefault("429", _response("Too many requests: wait and retry", error))
            if method in ("get", "post", "put", "patch"):
                responses.setdefault(
                    "400",
                    {
                        "description": "Invalid input: messages per field, or a body that could not be read",
                        "content": {
                            "application/json": {"schema": {"anyOf": [{"$ref": fields}, {"$ref": error}]}}
                        },
                    },
                )
            if method in ("put", "patch"):
                responses.setdefault(
                    "409", _response("Based on a stale version: the record as saved now", conflict)
                )
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("405", _response("This record kind is read-only here", error))
    return result
