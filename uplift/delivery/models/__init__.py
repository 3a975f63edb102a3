"""What institutions deliver under their contracts, and how the bureau judged it.

* :mod:`.projects` — the service project a signed contract creates, its KPIs, and the acceptance
  grades institutions earned (the procurement's past-grade bonus reads them);
* :mod:`.activities` — quality-improvement activities and the enterprises taking part.
"""

from .activities import Activity, Participation, QualityMethod
from .projects import GradeRecord, ProjectKpi, ServiceProject

__all__ = ["Activity", "GradeRecord", "Participation", "ProjectKpi", "QualityMethod", "ServiceProject"]
