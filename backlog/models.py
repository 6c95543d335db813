from __future__ import annotations

import zoneinfo
from datetime import date
from functools import cache

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.utils.timezone import now

DISPLAY_NAME_MAX_LENGTH = 100
EARLIEST_BIRTH = date(1900, 1, 1)


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"


def normalise_email(email: str) -> str:
    """How every address is stored and looked up: trimmed and lower-cased, so that a log-in
    is an exact match on the unique index (`email__iexact` would scan the table)."""
    return (email or "").strip().lower()


# Kinds of allauth authenticator that are a second factor (recovery codes only back them up).
SECOND_FACTOR_TYPES = ("totp", "webauthn")


class UserQuerySet(models.QuerySet):
    def with_second_factor(self) -> UserQuerySet:
        """Annotate `has_second_factor_now`, so the check costs no query of its own."""
        from allauth.mfa.models import Authenticator

        return self.annotate(
            has_second_factor_now=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTOR_TYPES)
            )
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email=normalise_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PATIENT)
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        help_text="Times are shown in this zone, and a flare-up belongs to its local day.",
    )
    # Both optional: how a patient is named on a clinician's summary and in their exports.
    display_name = models.CharField(
        "your name",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        help_text="Optional. Shown to the clinicians you share with, and in your exports.",
    )
    date_of_birth = models.DateField(
        "date of birth",
        null=True,
        blank=True,
        help_text="Optional. Helps a clinician match your summary to their records.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=now)
    privacy_version = models.PositiveIntegerField(
        "privacy notice version agreed to",
        null=True,
        blank=True,
        help_text="The version of the privacy notice this person agreed to; none yet if empty.",
    )
    privacy_agreed_at = models.DateTimeField(
        "agreed to the privacy notice at", null=True, blank=True
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            # Stored lower-cased, so the unique index on email is unique on the normalised
            # address, and a log-in looks it up with an exact match.
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lower_case"),
            models.CheckConstraint(
                condition=Q(privacy_version__isnull=True, privacy_agreed_at__isnull=True)
                | Q(privacy_version__isnull=False, privacy_agreed_at__isnull=False),
                name="user_privacy_version_and_date_together",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("display_name"), DISPLAY_NAME_MAX_LENGTH),
                name="user_display_name_max_length",
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__gte=EARLIEST_BIRTH),
                name="user_born_after_1900",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)
        self.display_name = " ".join(self.display_name.split())
        if self.timezone not in timezone_names():
            raise ValidationError({"timezone": "Choose a time zone from the list."})
        born = self.date_of_birth
        if born is not None and not EARLIEST_BIRTH <= born <= now().date():
            raise ValidationError(
                {"date_of_birth": "Choose a date of birth between 1900 and today."}
            )

    @property
    def name_for_clinicians(self) -> str:
        """The name the patient gave, or their email when they gave none."""
        return self.display_name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def agree_to_privacy_notice(self, version: int) -> None:
        self.privacy_version = version
        self.privacy_agreed_at = now()


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessEvent(models.Model):
    """One read (or refused read) of a patient's data by someone other than the patient,
    clinicians and staff in the admin alike (`backlog.access_log.record_access` writes them).

    Append-only. It names people by id and email only, never health data, and has no
    foreign keys, so it outlives the accounts it mentions.
    """

    at = models.DateTimeField(default=now, db_index=True)
    actor_ref = models.BigIntegerField(null=True, help_text="The reader's user id.")
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=10, blank=True)
    patient_ref = models.BigIntegerField(
        null=True, db_index=True, help_text="Whose data (user id), when known."
    )
    action = models.CharField(max_length=40)
    allowed = models.BooleanField()
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why staff changed the patient's data."
    )

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "denied"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {verdict}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")
