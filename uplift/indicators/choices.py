from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    """What is measured; each kind has one unit (:data:`UNITS`)."""

    OUTPUT_VALUE = "output_value", _("Output value")
    SALES_REVENUE = "sales_revenue", _("Sales revenue")
    EMPLOYEES = "employees", _("Employees")
    REGISTERED_ENTERPRISES = "registered_enterprises", _("Registered enterprises")
    BRAND_VALUE = "brand_value", _("Brand value")


#: kind -> (unit code for machines, unit for people)
UNITS = {
    IndicatorKind.OUTPUT_VALUE: ("yuan", _("yuan")),
    IndicatorKind.SALES_REVENUE: ("yuan", _("yuan")),
    IndicatorKind.EMPLOYEES: ("persons", _("persons")),
    IndicatorKind.REGISTERED_ENTERPRISES: ("enterprises", _("enterprises")),
    IndicatorKind.BRAND_VALUE: ("yuan", _("yuan")),
}
