import getpass
import secrets
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from backlog.accounts import vouch_for_email
from backlog.models import Role, User, normalise_email


class Command(BaseCommand):
    help = "Create a clinician account. Without --password, asks for one (or makes one up)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="The password (default: ask, or generate one).")
        parser.add_argument("--timezone", default="UTC", help="IANA time zone, e.g. Europe/London.")

    def handle(self, *args, email: str, password: str | None, timezone: str, **options):
        email = normalise_email(email)
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an email address.") from error
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        generated = False
        if password is None:
            if sys.stdin.isatty():
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The passwords do not match.")
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            validate_password(password, User(email=email))
            user = User.objects.create_user(email, password, role=Role.CLINICIAN, timezone=timezone)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        # The administrator vouches for the address; the clinician still sets up a second
        # factor at the first log-in, before any patient's data.
        vouch_for_email(user)
        self.stdout.write(self.style.SUCCESS(f"Clinician account created: {user.email}"))
        if generated:
            self.stdout.write(f"Password: {password}")
