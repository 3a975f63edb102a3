"""Every write of the excellence model. Frameworks are reference data loaded by migrations;
nothing here edits them.

* :mod:`.self_assessment` — an enterprise's self-assessment: write, submit, return, accept;
* :mod:`.expert` — the experts' assessment: panel, independent scoring, consensus, completion;
* :mod:`.adoption` — a programme's adoption rule (who counts as an adopter);
* :mod:`.benchmarks` — a programme's benchmark rules, and approving or revoking a benchmark.
"""

from .adoption import ADOPTION_METRICS, adoption_rule_create, adoption_rule_update
from .benchmarks import (
    benchmark_approve,
    benchmark_revoke,
    benchmark_rule_create,
    benchmark_rule_update,
    benchmark_update,
)
from .expert import (
    expert_assessment_agree,
    expert_assessment_assign,
    expert_assessment_complete,
    expert_assessment_consensus,
    expert_assessment_create,
    expert_assessment_update,
    expert_review_score,
    expert_review_submit,
    expert_review_withdraw,
)
from .self_assessment import (
    self_assessment_accept,
    self_assessment_create,
    self_assessment_respond,
    self_assessment_return,
    self_assessment_submit,
    self_assessment_update,
    total_of,
)

__all__ = [
    "ADOPTION_METRICS",
    "adoption_rule_create",
    "adoption_rule_update",
    "benchmark_approve",
    "benchmark_revoke",
    "benchmark_rule_create",
    "benchmark_rule_update",
    "benchmark_update",
    "expert_assessment_agree",
    "expert_assessment_assign",
    "expert_assessment_complete",
    "expert_assessment_consensus",
    "expert_assessment_create",
    "expert_assessment_update",
    "expert_review_score",
    "expert_review_submit",
    "expert_review_withdraw",
    "self_assessment_accept",
    "self_assessment_create",
    "self_assessment_respond",
    "self_assessment_return",
    "self_assessment_submit",
    "self_assessment_update",
    "total_of",
]
