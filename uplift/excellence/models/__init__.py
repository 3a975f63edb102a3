"""The Excellence Performance model (卓越绩效, GB/T 19580): frameworks as reference data, the
enterprises' self-assessments, the experts' assessments with their consensus, and the rules by
which a programme counts adopters and selects benchmark enterprises."""

from .adoption import AdoptionRule
from .benchmarks import Benchmark, BenchmarkRule
from .expert import ConsensusItem, ExpertAssessment, ExpertItemScore, ExpertReview
from .frameworks import Category, Framework, Item
from .self_assessment import SelfAssessment, SelfAssessmentItem

__all__ = [
    "AdoptionRule",
    "Benchmark",
    "BenchmarkRule",
    "Category",
    "ConsensusItem",
    "ExpertAssessment",
    "ExpertItemScore",
    "ExpertReview",
    "Framework",
    "Item",
    "SelfAssessment",
    "SelfAssessmentItem",
]
