"""What institutions deliver under their contracts, and how the bureau judged it.

* :mod:`.projects` — the service project a signed contract creates, its KPIs, and the acceptance
  grades institutions earned (the procurement's past-grade bonus reads them);
* :mod:`.activities` — quality-improvement activities and the enterprises taking part;
* :mod:`.problems` — quality problems found at enterprises and their correction (CAPA);
* :mod:`.standards` — the standards registry, standard work, enterprise-standard evaluations;
* :mod:`.benefits` — economic benefits, counted once verified;
* :mod:`.acceptance` — the acceptance rubric, a project's scores, its grade and publication.
"""

from .acceptance import Acceptance, AcceptanceCriterion, AcceptanceReview, AcceptanceScore, ReviewScore
from .activities import Activity, Participation, QualityMethod
from .benefits import Benefit
from .problems import Problem
from .projects import GradeRecord, ProjectKpi, ServiceProject
from .standards import EvaluationReport, Standard, StandardWork

__all__ = [
    "Acceptance",
    "AcceptanceCriterion",
    "AcceptanceReview",
    "AcceptanceScore",
    "ReviewScore",
    "Activity",
    "Benefit",
    "EvaluationReport",
    "GradeRecord",
    "Participation",
    "Problem",
    "ProjectKpi",
    "QualityMethod",
    "ServiceProject",
    "Standard",
    "StandardWork",
]
