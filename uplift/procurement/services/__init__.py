"""Every write of procurement: the tender's moves, sealed bids, scoring, award and contract.

Each workflow service locks the record it moves (``select_for_update``), checks the state and the
clock under the lock, and writes its audit entry; of two officers moving a tender at once, one
wins and the other is told the tender has moved on. A refused attempt (a late bid, a transition
out of order) writes nothing but an audit entry saying it was refused.

``at`` is the moment the act happens, the clock by default; the demo and the tests pass it to
replay a 2018 timeline. Pages and the API never let a user set it.
"""

from ._common import refused, runs_tender
from .bids import bid_disqualify, bid_replace, bid_submit, bid_withdraw
from .contracts import (
    contract_create,
    contract_update,
    milestone_create,
    milestone_update,
    payment_create,
    payment_update,
)
from .evaluation import (
    conflicts_declare,
    drawn_expert_ids,
    panel_draw,
    panel_member_create,
    panel_member_update,
    scores_save,
    sheet_submit,
    tender_award,
)
from .tenders import (
    clarification_answer,
    clarification_create,
    clarification_update,
    criterion_create,
    criterion_update,
    lot_create,
    lot_update,
    publication_problems,
    tender_cancel,
    tender_close,
    tender_create,
    tender_open,
    tender_publish,
    tender_update,
)

__all__ = [
    "bid_disqualify",
    "bid_replace",
    "bid_submit",
    "bid_withdraw",
    "clarification_answer",
    "clarification_create",
    "clarification_update",
    "conflicts_declare",
    "contract_create",
    "contract_update",
    "criterion_create",
    "criterion_update",
    "drawn_expert_ids",
    "lot_create",
    "lot_update",
    "milestone_create",
    "milestone_update",
    "panel_draw",
    "panel_member_create",
    "panel_member_update",
    "payment_create",
    "payment_update",
    "publication_problems",
    "runs_tender",
    "refused",
    "scores_save",
    "sheet_submit",
    "tender_award",
    "tender_cancel",
    "tender_close",
    "tender_create",
    "tender_open",
    "tender_publish",
    "tender_update",
]
