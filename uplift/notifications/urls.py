from django.urls import path

from .views import NotificationListView, NotificationOpenView, NotificationReadAllView, notification_views

app_name = "notifications"

urlpatterns = [
    # The list is the generic one with its own template (unread first, "mark all read").
    path("notifications/", NotificationListView.as_view(spec=notification_views), name="notification_list"),
    path("notifications/read-all/", NotificationReadAllView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/open/", NotificationOpenView.as_view(), name="notification_open"),
    *[p for p in notification_views.urls("notifications") if p.name != "notification_list"],
]
