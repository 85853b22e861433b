"""`manage.py seed_demo`: a demo contact center with three weeks of history (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from agents import demo
from agents.history_import import EventsImportError


class Command(BaseCommand):
    help = (
        "Create the demo center (lists, codes, groups, supervisors, agents, admin) where missing "
        "and three weeks of history for demo agents that have none. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            summary = demo.seed_demo()
        except EventsImportError as error:
            # Only when a demo username already belongs to someone set up differently.
            raise CommandError(
                "The demo history does not fit the existing data; nothing was seeded: "
                + "; ".join(error.errors[:5])
            ) from None
        created = ", ".join(f"{count} {kind}" for kind, count in summary.created.items() if count)
        history = summary.history
        if history:
            created += (
                f"{', ' if created else ''}{history.status_changes + history.rejections:,} "
                f"events for {history.agents} agents"
            )
        self.stdout.write(f"Demo data: {'created ' + created if created else 'already present'}.")
        self.stdout.write(self.logins())

    def logins(self) -> str:
        by_group: dict[str, list[str]] = {}
        for spec in demo.AGENTS:
            by_group.setdefault(spec.group, []).append(spec.username)
        lines = [
            f"Demo logins (password for every demo user: {demo.DEMO_PASSWORD}):",
            f"  administrator  {demo.ADMIN_USERNAME:<8} /admin/",
        ]
        for username, _first, _last, groups in demo.SUPERVISORS:
            lines.append(f"  supervisor     {username:<8} /reports/  ({', '.join(groups)})")
        for group, usernames in by_group.items():
            lines.append(f"  agents of {group}: {', '.join(usernames)}  (/console/)")
        lines.append(
            f"  an offer rings for {demo.RINGING_AGENT} ({demo.RINGING_CHANNEL}) on the console, "
            "until answered"
        )
        return "\n".join(lines)
