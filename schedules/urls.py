from django.urls import path, register_converter

from . import catalog, views

app_name = "schedules"


class ReportSlugConverter:
    """Only the reports one may subscribe to: a page whose link cannot be made shows none."""

    @property
    def regex(self) -> str:
        return "|".join(catalog.subscribable_views())

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReportSlugConverter, "subscribable")

urlpatterns = [
    path("", views.SubscriptionListView.as_view(), name="list"),
    path("new/<subscribable:report>/", views.SubscriptionCreateView.as_view(), name="new"),
    path("<int:pk>/delete/", views.SubscriptionDeleteView.as_view(), name="delete"),
]
