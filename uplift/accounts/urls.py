from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.SecondFactorView.as_view(), name="login_code"),
    path("me/two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    *views.user_views.urls("users"),
    path("users/<int:pk>/password/", views.PasswordResetView.as_view(), name="user_password_reset"),
    *views.organisation_views.urls("organisations"),
    *views.membership_views.urls("memberships"),
    *views.apitoken_views.urls("tokens"),
]
