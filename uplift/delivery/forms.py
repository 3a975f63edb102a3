from uplift.core.forms import ScopedModelForm

from .models import GradeRecord


class GradeRecordForm(ScopedModelForm):
    class Meta:
        model = GradeRecord
        fields = ["institution", "project_title", "programme", "grade", "accepted_on", "source"]
