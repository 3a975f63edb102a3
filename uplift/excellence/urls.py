from django.urls import path

from . import views

app_name = "excellence"

urlpatterns = [
    path("benchmark-candidates/", views.BenchmarkCandidatesView.as_view(), name="benchmark_candidates"),
    path("expert-assessments/<int:pk>/feedback/", views.FeedbackView.as_view(), name="feedback"),
    *views.framework_views.urls("frameworks"),
    *views.self_assessment_views.urls("self-assessments"),
    *views.adoption_rule_views.urls("adoption-rules"),
    *views.expert_assessment_views.urls("expert-assessments"),
    *views.expert_review_views.urls("expert-reviews"),
    *views.benchmark_rule_views.urls("benchmark-rules"),
    *views.benchmark_views.urls("benchmarks"),
]
