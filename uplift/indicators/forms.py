from uplift.core.forms import ScopedModelForm
from uplift.registry.forms import enterprise_by_code

from .models import EconomicIndicator


class IndicatorForm(ScopedModelForm):
    enterprise = enterprise_by_code(required=False)

    class Meta:
        model = EconomicIndicator
        fields = ["kind", "year", "enterprise", "cluster", "region", "value", "source", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An enterprise's or a cluster's figure takes its region from it.
        self.fields["region"].required = False

    def clean(self):
        data = super().clean()
        subject = data.get("enterprise") or data.get("cluster")
        if subject is not None:
            data["region"] = subject.region
        elif not data.get("region") and "region" not in self.errors:
            self.add_error("region", self.fields["region"].error_messages["required"])
        return data
