from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agents.api import api
from agents.views import sign_out
from core.views import home

urlpatterns = [
    # Each user's own door: the console, the reports or the admin (core/doors.py).
    path("", home, name="home"),
    # Log in, log out and change one's password; no e-mailed password reset (administrators
    # set passwords, or users sign in through SSO), so no mail server is needed.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The header's "Sign out": an agent still in the contact center is asked to log out too.
    path("accounts/sign-out/", sign_out, name="sign_out"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("console/", include("agents.urls")),
    path("api/v1/", api.urls),
    # Before the reports: the scheduled reports live under /reports/subscriptions/.
    path("reports/subscriptions/", include("schedules.urls")),
    path("reports/", include("reports.urls")),
]
