from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The acceptance grades the bureau publishes (验收等次)."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    FAIL = "fail", _("Fail")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    FAILED = "failed", _("Failed")


class ActivityKind(models.TextChoices):
    """The kinds of quality-improvement activity the programme counts (品质提升活动)."""

    SURVEY = "survey", _("Survey")
    TRAINING = "training", _("Training")
    DIAGNOSIS = "diagnosis", _("Quality diagnosis")
    STANDARD = "standard", _("Standard drafting or revision")
    LECTURE = "lecture", _("Technical lecture")
    EXCHANGE = "exchange", _("On-site exchange")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    """An activity counts only once approved; the institution enters it, the bureau approves it."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class KpiKind(models.TextChoices):
    """What a project's key performance indicator measures; the actual value is counted from records."""

    ACTIVITIES = "activities", _("Approved activities")
    ENTERPRISES = "enterprises", _("Enterprises taking part")
    MANAGERS = "managers", _("Quality-manager participations")
    TRAINED_ADVANCED = "trained_advanced", _("Enterprises trained in advanced quality methods")
    PROBLEMS_SOLVED = "problems_solved", _("Quality problems solved")
    STANDARDS = "standards", _("Standards drafted or revised (approved)")
    EVALUATION_REPORTS = "evaluation_reports", _("Enterprise-standard evaluation reports")
    BENEFITS = "benefits", _("Verified economic benefit (yuan)")
    PASS_RATE = "pass_rate", _("Sampling pass rate in the cluster (%)")


class ProblemCategory(models.TextChoices):
    """What kind of quality problem was found (品质问题类别)."""

    LABELLING = "labelling", _("Labelling")
    INSPECTION = "inspection", _("Inspection and testing")
    PROCESS = "process", _("Production process")
    MATERIALS = "materials", _("Raw materials")
    TRACEABILITY = "traceability", _("Traceability")
    MANAGEMENT = "management", _("Quality management")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    SEVERE = "severe", _("Severe")


class ProblemStatus(models.TextChoices):
    """A problem is solved once the institution (or the bureau) has verified its correction."""

    OPEN = "open", _("Open")
    CORRECTED = "corrected", _("Corrected, to verify")
    CLOSED = "closed", _("Closed (solved)")


class StandardLevel(models.TextChoices):
    """The level of a standard, read from its number's prefix."""

    NATIONAL = "national", _("National (GB)")
    NATIONAL_RECOMMENDED = "national_rec", _("National recommended (GB/T)")
    LOCAL = "local", _("Local (DB)")
    GROUP = "group", _("Group (T/)")
    ENTERPRISE = "enterprise", _("Enterprise (Q/)")


class StandardStatus(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    CONSULTATION = "consultation", _("Public consultation")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StandardWorkKind(models.TextChoices):
    NEW = "new", _("New standard")
    REVISION = "revision", _("Revision")


class EvaluationConclusion(models.TextChoices):
    """The conclusion of an enterprise-standard evaluation report (评价结论)."""

    CONFORMS = "conforms", _("Conforms")
    PARTLY = "partly", _("Conforms with observations")
    DOES_NOT = "does_not", _("Does not conform")


class BenefitKind(models.TextChoices):
    LOSS_AVOIDED = "loss_avoided", _("Loss avoided")
    COST_SAVED = "cost_saved", _("Cost saved")
    REVENUE_GAINED = "revenue_gained", _("Revenue gained")
    OTHER = "other", _("Other")


class BenefitStatus(models.TextChoices):
    """Only a verified claim counts; the institution claims, an officer verifies or rejects."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class AcceptanceStatus(models.TextChoices):
    """An acceptance is scored as a draft, graded (the project is closed), then published."""

    DRAFT = "draft", _("Scoring")
    GRADED = "graded", _("Graded")
    PUBLISHED = "published", _("Published in the bulletin")


class CriterionBasis(models.TextChoices):
    """How a criterion of the acceptance rubric is scored."""

    JUDGED = "judged", _("Judged by the panel")
    KPI = "kpi", _("Computed from the project's KPIs")


class ReviewStatus(models.TextChoices):
    """An expert's review: assigned, then submitted (final); or withdrawn by the bureau."""

    ASSIGNED = "assigned", _("Assigned")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: The default lowest total (out of 100) of each grade, best first; below the last is a fail.
#: Each programme sets its own (``Programme.excellent_from``, ``good_from``, ``pass_from``).
GRADE_BANDS = [(90, Grade.EXCELLENT), (75, Grade.GOOD), (60, Grade.FAIR)]
