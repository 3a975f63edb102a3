"""A withdrawn service request reads 撤回原因; an expert moved off a panel keeps 调出原因 (the same
English words, told apart by a translation context)."""

from django.utils.translation import override

from uplift.delivery.models import AcceptanceReview
from uplift.servicedesk.models import ServiceRequest


def test_the_reason_for_withdrawal_reads_right_on_each_record():
    request_reason = ServiceRequest._meta.get_field("withdrawal_reason").verbose_name
    panel_reason = AcceptanceReview._meta.get_field("withdrawn_reason").verbose_name
    assert str(request_reason) == str(panel_reason) == "reason for withdrawal"
    with override("zh-hans"):
        assert (str(request_reason), str(panel_reason)) == ("撤回原因", "调出原因")
