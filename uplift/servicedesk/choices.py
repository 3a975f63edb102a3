from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Topic(models.TextChoices):
    """What an enterprise asks the one-stop service about (服务需求类别)."""

    TESTING = "testing", _("Testing")
    CERTIFICATION = "certification", _("Certification")
    STANDARDS = "standards", _("Standards")
    METROLOGY = "metrology", _("Metrology")
    QUALITY_MANAGEMENT = "quality_management", _("Quality management")
    LABELLING = "labelling", _("Labelling")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """How the request reached the service."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At a station counter")
    PHONE = "phone", _("By phone")


class RequestStatus(models.TextChoices):
    """submitted → accepted → in progress → answered → closed (rated); withdrawn at any point
    before the answer."""

    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", pgettext_lazy("service request", "Accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("service request", "In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Still waiting for the answer: what the overdue flags look at.
OPEN_STATES = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)
