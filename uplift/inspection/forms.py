from uplift.core.forms import ScopedModelForm
from uplift.registry.forms import enterprise_by_code

from .models import SamplingInspection


class InspectionForm(ScopedModelForm):
    enterprise = enterprise_by_code()

    class Meta:
        model = SamplingInspection
        fields = [
            "enterprise",
            "cluster",
            "product",
            "product_category",
            "batch_id",
            "sampled_on",
            "inspecting_body",
            "level",
            "result",
            "failed_items",
            "report_number",
        ]
