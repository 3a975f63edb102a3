from .audit import current_address


class RequestContextMiddleware:
    """Makes the client address of the request being served known to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)
