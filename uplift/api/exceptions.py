"""API errors: Django's ValidationError and scope misses answered like DRF's, never a stack trace."""

from django.core.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from uplift.core.api import Conflict, as_drf_error


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        exc = as_drf_error(exc)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Conflict) and response is not None:
        response.data["current"] = exc.current  # the record as saved now, to compare and retry
    return response
