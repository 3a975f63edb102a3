from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    *views.tender_views.urls("tenders"),
    path(
        "tenders/<int:pk>/evaluation-report.<str:fmt>",
        views.evaluation_report_file,
        name="tender_evaluation_report",
    ),
    *views.lot_views.urls("lots"),
    *views.criterion_views.urls("criteria"),
    *views.clarification_views.urls("clarifications"),
    *views.bid_views.urls("bids"),
    *views.panel_views.urls("panel"),
    path("panel/<int:pk>/score/<int:lot>/", views.ScoreView.as_view(), name="score"),
    *views.sheet_views.urls("score-sheets"),
    *views.award_views.urls("awards"),
    *views.contract_views.urls("contracts"),
    *views.milestone_views.urls("milestones"),
    *views.payment_views.urls("payments"),
]
