"""The JSON API of SPEC §7 (django-ninja): the agents' door for the console and integrations."""

from ninja import NinjaAPI

api = NinjaAPI(title="Agent status codes API", version="1", urls_namespace="api")
