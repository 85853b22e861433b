from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.console, name="home"),
    path("status/", views.change_status, name="status"),
    path("rejections/", views.reject, name="reject"),
]
