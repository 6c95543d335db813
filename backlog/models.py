from __future__ import annotations

import zoneinfo
from functools import cache

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.timezone import now


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
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
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PATIENT)
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        help_text="Times are shown in this zone, and a flare-up belongs to its local day.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
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
        self.email = self.email.lower()
        if self.timezone not in timezone_names():
            raise ValidationError({"timezone": "Choose a time zone from the list."})


class ShareQuerySet(models.QuerySet):
    def live(self) -> ShareQuerySet:
        """Redeemed or addressed to a clinician, not revoked, not expired."""
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now()),
            clinician__isnull=False,
            revoked_at__isnull=True,
        )

    def pending_codes(self) -> ShareQuerySet:
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now()),
            clinician__isnull=True,
            revoked_at__isnull=True,
            code_expires_at__gt=now(),
        )


class Share(models.Model):
    """A patient's consent for one clinician to read their history, until revoked or expired.

    Made either for a clinician's account email, or as a one-time code that a clinician
    redeems (only the code's hash is kept; the patient sees the code once).
    """

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shares_given")
    clinician = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="shares_received"
    )
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(clinician__isnull=False) | ~Q(code_hash=""),
                name="share_has_clinician_or_code",
            ),
            models.CheckConstraint(
                condition=~Q(clinician=models.F("patient")), name="share_not_with_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"Share {self.pk} of {self.patient_id} with {self.clinician_id or 'a code'}"

    @property
    def is_live(self) -> bool:
        return (
            self.clinician_id is not None
            and self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now())
        )

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now():
            return "expired"
        if self.clinician_id is None:
            if self.code_expires_at is None or self.code_expires_at <= now():
                return "code expired"
            return "waiting for the code"
        return "active"


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessEvent(models.Model):
    """One read (or refused read) of a patient's data by someone other than the patient.

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
