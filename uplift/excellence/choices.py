from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.delivery.choices import ReviewStatus as _ReviewStatus


class ItemKind(models.TextChoices):
    """How an item is scored: a process item by approach–deployment–learning–integration
    (方法-展开-学习-整合), a results item by level–trend–comparison–integration (水平-趋势-对比-整合)."""

    PROCESS = "process", _("Process")
    RESULTS = "results", _("Results")


class SelfAssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")


#: The states in which the enterprise still writes its self-assessment.
OPEN_STATES = (SelfAssessmentStatus.DRAFT, SelfAssessmentStatus.RETURNED)


class ExpertAssessmentStatus(models.TextChoices):
    SCORING = "scoring", _("Experts scoring")
    CONSENSUS = "consensus", _("Consensus round")
    COMPLETED = "completed", _("Completed")


# An expert's review: the same states as an acceptance review's (one enum in the API schema).
ReviewStatus = _ReviewStatus


class BenchmarkStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REVOKED = "revoked", _("Revoked")
