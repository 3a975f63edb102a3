"""A user's notifications: the list (unread first), one notification's page, opening one (it is
marked read and the user sent to its record) and marking them all read.

Opening and "mark all read" change state, so they are POSTs with the CSRF token
(docs/security.md); a GET of the open link (pasted, or from an e-mail client) changes nothing
and shows the notification's page, whose button opens it.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from uplift.core.views import ObjectListView, ObjectViews

from . import services
from .filtersets import NotificationFilterSet
from .models import Notification
from .tables import NotificationTable

notification_views = ObjectViews(
    model=Notification,
    table=NotificationTable,
    filterset=NotificationFilterSet,
    select_related=("actor",),
    detail_fields=["title", "actor", "created_at", "read_at", "emailed_at"],
    detail_template="notifications/notification_detail.html",
    nav=False,  # reached from the bell in the header
)

VIEW = "notifications.view_notification"


class NotificationListView(ObjectListView):
    template_name = "notifications/notification_list.html"


class NotificationOpenView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: mark the notification read and go to its record. GET: its page (nothing changes)."""

    permission_required = VIEW

    def notification(self, pk: int) -> Notification:
        try:
            return Notification.objects.visible_to(self.request.user).get(pk=pk)
        except Notification.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request, pk: int):
        return redirect(self.notification(pk).get_absolute_url())

    def post(self, request, pk: int):
        notification = self.notification(pk)
        if notification.recipient_id == request.user.pk:
            services.notification_open(actor=request.user, notification=notification)
        target = notification.target_url
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = notification.get_absolute_url()  # only ever this site's own pages
        return HttpResponseRedirect(target, status=303)


class NotificationReadAllView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: every unread notification of the user read; back to the list."""

    permission_required = VIEW
    http_method_names = ["post"]

    def post(self, request):
        services.notifications_read_all(actor=request.user)
        return HttpResponseRedirect(reverse("notifications:notification_list"), status=303)
