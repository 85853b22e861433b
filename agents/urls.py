from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.console, name="home"),
    path("status/", views.change_status, name="status"),
    path("offers/<uuid:offer_id>/accept/", views.accept_offer, name="accept_offer"),
    path("offers/<uuid:offer_id>/reject/", views.reject_offer, name="reject_offer"),
    path("pending/cancel/", views.cancel_pending, name="cancel_pending"),
]
