"""Consent: a patient's share of their history with one clinician."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now


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

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_given"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_received",
    )
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    # The trend verdicts the clinician saw at that look ({"frequency": "rising", ...}), so the
    # next summary can say which changed.
    seen_verdicts = models.JSONField(default=dict, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when shares lived in the backlog app.
        db_table = "backlog_share"
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


class HistoryImport(models.Model):
    """An import in progress. Its flare-ups are written in short batches to `holder`, a
    hidden account that only ever holds them, and move to the patient in one short
    transaction at the end, so the patient never sees half an import and no transaction
    holds SQLite's write lock for long (`clinic.imports.history_import`)."""

    # Emptied when the patient deletes their account mid-way: the run stays until its staged
    # rows are cleaned up (`clinic.imports.discard_abandoned_imports`).
    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="history_import",
    )
    holder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history_import_held"
    )
    touched_at = models.DateTimeField(default=now, help_text="Its last sign of life.")

    def __str__(self) -> str:
        return f"Import into {self.patient_id}, last active {self.touched_at:%Y-%m-%d %H:%M}"
