from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from agents.api import api

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("console/", include("agents.urls")),
    path("api/v1/", api.urls),
    path("reports/", include("reports.urls")),
]
