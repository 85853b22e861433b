from django.urls import path

from . import agent_day, views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("status-changes/", views.StatusChangesView.as_view(), name="status-changes"),
    path("time-by-code/", views.TimeByCodeView.as_view(), name="time-by-code"),
    path("time-by-code/matrix/", views.AgentCodeMatrixView.as_view(), name="agent-code-matrix"),
    path("rejections/", views.RejectionsView.as_view(), name="rejections"),
    path("live/", views.LiveView.as_view(), name="live"),
    path("live/stream/", views.LiveStreamView.as_view(), name="live-stream"),
    path("live/<str:username>/status/", views.LiveActionView.as_view(), name="live-status"),
    path("pickers/agents/", views.AgentSearchView.as_view(), name="agent-search"),
    path("pickers/codes/", views.CodeSearchView.as_view(), name="code-search"),
    path("pickers/time-zones/", views.TimeZoneSearchView.as_view(), name="time-zone-search"),
    path("agents/<str:username>/day/", agent_day.AgentDayView.as_view(), name="agent-day"),
]
