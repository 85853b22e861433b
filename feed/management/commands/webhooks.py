"""`python manage.py webhooks add URL [--events TYPE,…] [--description TEXT]` and
`python manage.py webhooks list` (docs/integrations.md, "Endpoints")."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from feed.choices import EventType
from feed.models import WebhookEndpoint
from feed.services import endpoint_create


class Command(BaseCommand):
    help = "Add a webhook endpoint (prints its secret, once) or list the endpoints."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        add = commands.add_parser("add", help="Add an endpoint and print its secret.")
        add.add_argument("url", help="Where the events are POSTed (http or https).")
        add.add_argument(
            "--events",
            default=",".join(EventType.values),
            help=f"Comma-separated event types (default: all): {', '.join(EventType.values)}.",
        )
        add.add_argument("--description", default="", help="What receives the events.")
        commands.add_parser("list", help="List the endpoints (without their secrets).")

    def handle(self, *args, subcommand, **options):
        if subcommand == "add":
            self.add(options["url"], options["events"], options["description"])
        else:
            self.list()

    def add(self, url: str, events: str, description: str) -> None:
        event_types = [item.strip() for item in events.split(",") if item.strip()]
        try:
            endpoint, secret = endpoint_create(
                url=url, event_types=event_types, description=description
            )
        except ValidationError as error:
            raise CommandError(
                " ".join(
                    f"{field}: {message}"
                    for field, messages in error.message_dict.items()
                    for message in messages
                )
            ) from None
        self.stdout.write(f"Endpoint {endpoint.pk} added: {endpoint.url}")
        self.stdout.write(f"Events: {', '.join(endpoint.event_types)}")
        self.stdout.write(f"Secret (shown once, copy it into the receiver): {secret}")

    def list(self) -> None:
        endpoints = WebhookEndpoint.objects.order_by("pk")
        if not endpoints:
            self.stdout.write("No webhook endpoints.")
            return
        for endpoint in endpoints:
            state = "active" if endpoint.active else "inactive"
            self.stdout.write(
                f"{endpoint.pk}\t{state}\t{endpoint.url}\t{','.join(endpoint.event_types)}"
                + (f"\t{endpoint.description}" if endpoint.description else "")
            )
