"""Request-wide middleware: the client address for the audit trail, and security headers."""

from django.conf import settings

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


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` (settings.CONTENT_SECURITY_POLICY) to every response.

    The pages have no inline script or style and load nothing from other origins, so the policy
    can be strict: a script injected into a page through stored data does not run.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(f"{k} {' '.join(v)}" for k, v in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
