from django.db import models
from django.utils.translation import gettext_lazy as _


class TenderStatus(models.TextChoices):
    """draft → published → bidding closed → evaluating → awarded; or cancelled / unsuccessful."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Bidding closed")
    EVALUATING = "evaluating", _("Evaluating")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")


#: States in which a tender is public (its notice, clarifications, opening record and result).
PUBLIC_STATES = (
    TenderStatus.PUBLISHED,
    TenderStatus.CLOSED,
    TenderStatus.EVALUATING,
    TenderStatus.AWARDED,
    TenderStatus.CANCELLED,
    TenderStatus.UNSUCCESSFUL,
)


class LotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    AWARDED = "awarded", _("Awarded")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")


class CriterionKind(models.TextChoices):
    PRICE = "price", _("Price")
    TECHNICAL = "technical", _("Technical proposal")
    SERVICE_PLAN = "service_plan", _("Service plan")
    QUALIFICATION = "qualification", _("Qualifications and past performance")
    OTHER = "other", _("Other")


class PriceFormula(models.TextChoices):
    """How a valid bid's price becomes points; the lowest valid price always gets full marks."""

    PRO_RATA = "pro_rata", _("Lowest price ÷ bid price × weight")
    DEDUCTION = "deduction", _("Weight minus a deduction per percent above the lowest price")


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted (sealed)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OPENED = "opened", _("Opened")
    DISQUALIFIED = "disqualified", _("Disqualified")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class ContractStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class MilestoneStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    MET = "met", _("Met")
    PARTIALLY_MET = "partially_met", _("Partially met")
    NOT_MET = "not_met", _("Not met")
