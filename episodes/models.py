from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

NOTES_MAX_LENGTH = 2000
INTENSITY_MIN, INTENSITY_MAX = 0, 10
# A phone's clock may run a little ahead of the server's: times up to this far in the future
# are accepted.
CLOCK_SKEW = timedelta(minutes=5)
# No flare-up starts before 1900; nearer year 1 a local time may not even convert to UTC
# (Pacific/Pago_Pago was UTC+12:37 then), which would fail deep in the database layer.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# Said by clean() below, and by the log page when it checks a log saved without a connection.
LEG_REQUIRED = "Choose which leg the pain spreads down."


class Side(models.TextChoices):
    LEFT = "left", "Left side"
    RIGHT = "right", "Right side"
    BOTH = "both", "Both sides"
    CENTER = "center", "Middle"


class Spread(models.TextChoices):
    NONE = "none", "Stays in the back"
    BUTTOCK = "buttock", "Buttock"
    THIGH = "thigh", "Thigh"
    BELOW_KNEE = "below_knee", "Below the knee"
    FOOT = "foot", "Foot"


class Leg(models.TextChoices):
    LEFT = "left", "Left leg"
    RIGHT = "right", "Right leg"
    BOTH = "both", "Both legs"


class Trigger(models.TextChoices):
    LIFTING = "lifting", "Lifting"
    BENDING = "bending", "Bending or twisting"
    SITTING = "sitting", "Sitting a long time"
    SLEEP = "sleep", "Woke up with it"
    EXERCISE = "exercise", "Exercise or sport"
    UNKNOWN = "unknown", "Don't know"
    OTHER = "other", "Something else"


class RemedyCode(models.TextChoices):
    IBUPROFEN = "ibuprofen", "Ibuprofen or another anti-inflammatory (NSAID)"
    OTHER_PAINKILLER = "other_painkiller", "Another painkiller"
    BED_REST = "bed_rest", "Bed rest (lying flat)"
    REST_MOVING = "rest_moving", "Rested but kept moving"
    WALKING = "walking", "Walking"
    STRETCHING = "stretching", "Stretching"
    HEAT = "heat", "Heat"
    ICE = "ice", "Ice or cold pack"
    MASSAGE = "massage", "Massage"
    CLINICIAN_VISIT = "clinician_visit", "Saw a clinician"
    OTHER = "other", "Something else"


# For narrow places (chart axes); forms and tables use the full labels.
REMEDY_SHORT_LABELS = {
    "ibuprofen": "Ibuprofen/NSAID",
    "other_painkiller": "Other painkiller",
    "bed_rest": "Bed rest",
    "rest_moving": "Rest, kept moving",
    "walking": "Walking",
    "stretching": "Stretching",
    "heat": "Heat",
    "ice": "Ice",
    "massage": "Massage",
    "clinician_visit": "Clinician",
    "other": "Other",
}


class Helped(models.TextChoices):
    YES = "yes", "Helped"
    SOMEWHAT = "somewhat", "Helped somewhat"
    NO = "no", "Did not help"
    UNKNOWN = "unknown", "Not sure yet"


# The red-flag questions asked at every log (yes/no, default no), in the order they are asked.
RED_FLAG_FIELDS = (
    "saddle_numbness",
    "bladder_bowel",
    "numbness",
    "leg_weakness",
    "fever",
    "injury",
)

# Every field a patient enters for a flare-up, in the order of the full form (remedies aside).
PATIENT_FIELDS = (
    "started_at",
    "ended_at",
    "intensity",
    "side",
    "spread",
    "leg",
    *RED_FLAG_FIELDS,
    "spasm",
    "trigger",
    "notes",
)

REMEDY_ORDER = {code: index for index, code in enumerate(RemedyCode.values)}


class EpisodeQuerySet(models.QuerySet):
    def for_patient(self, patient) -> EpisodeQuerySet:
        return self.filter(patient=patient)

    def newest_first(self) -> EpisodeQuerySet:
        return self.order_by("-started_at", "-id")

    def with_remedies(self) -> EpisodeQuerySet:
        return self.prefetch_related("remedies")

    def version(self) -> tuple[int, str]:
        """Changes whenever a flare-up in this set is added, edited or deleted: a cache key.

        The count moves on each addition and deletion and the newest `updated_at` on each
        edit (every write saves the flare-up itself, remedies included). Neither alone is
        enough when several servers write: an edit stamped by a server whose clock is behind
        may not move the newest `updated_at`. So the key also carries the patient's
        `DataVersion`, a number the database moves on every save and delete (one query all
        the same: it is joined in). The string is "<newest updated_at>#<data version>".
        """
        summary = self.aggregate(
            count=models.Count("id"),
            latest=models.Max("updated_at"),
            stamp=models.Max("patient__data_version__number"),
        )
        latest = summary["latest"].isoformat() if summary["latest"] else ""
        return summary["count"], f"{latest}#{summary['stamp'] or 0}"


class Episode(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="episodes"
    )
    started_at = models.DateTimeField("started", default=timezone.now)
    ended_at = models.DateTimeField("ended", null=True, blank=True)
    intensity = models.PositiveSmallIntegerField(
        "worst pain (0-10)",
        help_text="0 is no pain, 10 is the worst pain you can imagine.",
        validators=[MinValueValidator(INTENSITY_MIN), MaxValueValidator(INTENSITY_MAX)],
    )
    side = models.CharField("where in the back", max_length=10, choices=Side.choices)
    spread = models.CharField(
        "how far it spreads down the leg",
        max_length=10,
        choices=Spread.choices,
        default=Spread.NONE,
    )
    leg = models.CharField("which leg", max_length=5, choices=Leg.choices, blank=True)

    saddle_numbness = models.BooleanField(
        "Numbness or tingling around the genitals, buttocks or inner thighs", default=False
    )
    bladder_bowel = models.BooleanField(
        "New trouble passing urine, or losing control of bladder or bowel", default=False
    )
    numbness = models.BooleanField("Numbness or tingling in a leg or foot", default=False)
    leg_weakness = models.BooleanField("Weakness in a leg", default=False)
    fever = models.BooleanField("Fever, or feeling hot and shivery", default=False)
    injury = models.BooleanField("It began after a fall, accident or injury", default=False)
    spasm = models.BooleanField("Muscle spasm or knots", default=False)

    trigger = models.CharField(
        "what set it off", max_length=10, choices=Trigger.choices, blank=True
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)

    # Set by the form that logged it: a retried or double-tapped submission carries the same
    # token, and finds the flare-up it already made instead of making a second one.
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-started_at"], name="episode_patient_started"),
            # "Logged since the clinician's last look": a range of one patient's rows.
            models.Index(fields=["patient", "created_at"], name="episode_patient_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_token"], name="episode_client_token_once"
            ),
            models.CheckConstraint(
                condition=Q(intensity__gte=INTENSITY_MIN, intensity__lte=INTENSITY_MAX),
                name="episode_intensity_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="episode_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="episode_side_valid"),
            models.CheckConstraint(
                condition=Q(spread__in=Spread.values), name="episode_spread_valid"
            ),
            models.CheckConstraint(
                condition=(Q(spread=Spread.NONE) & Q(leg=""))
                | (~Q(spread=Spread.NONE) & Q(leg__in=Leg.values)),
                name="episode_leg_matches_spread",
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=["", *Trigger.values]), name="episode_trigger_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("notes"), NOTES_MAX_LENGTH),
                name="episode_notes_max_length",
            ),
        ]

    def __str__(self) -> str:
        # No health detail: this text is kept in the admin's history of changes.
        return f"Flare-up {self.pk}"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if not adding and (update_fields is None or "started_at" in update_fields):
            # Every path that moves the start (the forms, the admin) keeps the readings' copy
            # of it current; the database refuses a start after one of them.
            self.readings.exclude(episode_started_at=self.started_at).update(
                episode_started_at=self.started_at
            )

    def clean(self) -> None:
        """The rules that span fields, in words a person understands (the database's check
        constraints enforce the same rules again)."""
        errors = {}
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            errors["ended_at"] = "The end cannot be before the start."
        if self.spread and self.spread != Spread.NONE and not self.leg:
            errors["leg"] = LEG_REQUIRED
        elif self.spread == Spread.NONE and self.leg:
            errors["leg"] = (
                "Leave the leg empty when the pain stays in the back, or say how far it goes."
            )
        if errors:
            raise ValidationError(errors)

    def full_clean(self, *args, validate_constraints: bool = False, **kwargs) -> None:
        # Django's generic constraint check runs one query per check constraint; every rule
        # behind them is checked in Python by the fields and clean() above, and the database
        # enforces them all on save. Pass validate_constraints=True to run it anyway.
        super().full_clean(*args, validate_constraints=validate_constraints, **kwargs)

    @property
    def tried(self) -> list[str]:
        """Remedy codes in the order the form lists them (uses a prefetch when there is one)."""
        return sorted((r.code for r in self.remedies.all()), key=REMEDY_ORDER.__getitem__)

    @property
    def remedies_in_order(self) -> list[Remedy]:
        return sorted(self.remedies.all(), key=lambda r: REMEDY_ORDER[r.code])

    @property
    def is_over(self) -> bool:
        return self.ended_at is not None

    @property
    def red_flags(self) -> list[str]:
        return [name for name in RED_FLAG_FIELDS if getattr(self, name)]

    @property
    def red_flag_labels(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in self.red_flags]


class Remedy(models.Model):
    """Something the patient tried for one flare-up, and whether it helped."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="remedies")
    code = models.CharField(max_length=20, choices=RemedyCode.choices)
    helped = models.CharField(max_length=10, choices=Helped.choices, default=Helped.UNKNOWN)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "code"], name="remedy_once_per_episode"),
            models.CheckConstraint(
                condition=Q(code__in=RemedyCode.values), name="remedy_code_valid"
            ),
            models.CheckConstraint(
                condition=Q(helped__in=Helped.values), name="remedy_helped_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Remedy {self.pk} of flare-up {self.episode_id}"


READING_NOTE_MAX_LENGTH = 500


class PainReadingQuerySet(models.QuerySet):
    def in_order(self) -> PainReadingQuerySet:
        return self.order_by("taken_at", "id")


class PainReading(models.Model):
    """How bad the pain was at one moment of a flare-up: the flare-up's course, beside its
    peak (`Episode.intensity`). Asked by the relief check, or added by the patient."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="readings")
    taken_at = models.DateTimeField("time", default=timezone.now)
    intensity = models.PositiveSmallIntegerField(
        "pain (0-10)",
        validators=[MinValueValidator(INTENSITY_MIN), MaxValueValidator(INTENSITY_MAX)],
    )
    note = models.CharField(blank=True, max_length=READING_NOTE_MAX_LENGTH)
    # The answer to "How bad is it now?" after a painkiller (the relief check), as opposed to
    # a reading the patient added: what "how much did it drop" is measured from.
    relief_check = models.BooleanField(default=False, editable=False)
    # A copy of the flare-up's start, kept by every write (save() and the flare-up's own
    # updates), so that the database itself refuses a reading from before the start.
    episode_started_at = models.DateTimeField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PainReadingQuerySet.as_manager()

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["episode", "taken_at"], name="reading_episode_taken")]
        constraints = [
            models.CheckConstraint(
                condition=Q(intensity__gte=INTENSITY_MIN, intensity__lte=INTENSITY_MAX),
                name="reading_intensity_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(taken_at__gte=F("episode_started_at")),
                name="reading_not_before_start",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), READING_NOTE_MAX_LENGTH),
                name="reading_note_max_length",
            ),
        ]

    def __str__(self) -> str:
        # No health detail: the admin keeps this text in its history of changes.
        return f"Pain reading {self.pk} of flare-up {self.episode_id}"

    def save(self, *args, **kwargs) -> None:
        if self.episode_id is not None:
            self.episode_started_at = self.episode.started_at
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.taken_at and self.episode_id and self.taken_at < self.episode.started_at:
            raise ValidationError(
                {"taken_at": "A reading cannot be from before the flare-up began."}
            )


class DataVersion(models.Model):
    """A number that moves on every save and delete of one of the patient's flare-ups
    (`episodes.signals`), kept by the database so that every app server sees the same one.
    Cached reports, charts and summaries carry it in their keys (`EpisodeQuerySet.version`):
    a write on one server makes every server's cached copy unreachable at once."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="data_version",
    )
    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.number}"
