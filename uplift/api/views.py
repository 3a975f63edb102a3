"""API wiring only: the JSON answer for a path under /api/ that names no endpoint."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # it changes nothing; a CSRF refusal here would answer HTML instead of JSON
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": _("Not found.")}, status=404)
