"""A demo patient with two years of realistic flare-ups, and a demo clinician.

Idempotent: when the demo patient exists nothing is changed. The history is generated from a
fixed seed relative to today: monthly-ish flare-ups in the first year, then more often, more
painful and spreading from one side to both and down the left leg, the way recurring back
pain often goes when it is left untreated.
"""

import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from advice.models import Prompt
from advice.services import episode_log
from advice.status import patient_status_refresh
from backlog.accounts import vouch_for_email
from backlog.models import Role, User
from clinic.models import Share
from episodes.services import reading_add

DEMO_PATIENT = ("patient@example.com", "demo-patient-pass")
DEMO_CLINICIAN = ("clinician@example.com", "demo-clinician-pass")
DEMO_TIMEZONE = "Europe/London"
DEMO_NAME, DEMO_BIRTH = "Alex Morgan", date(1978, 4, 12)
# A few more patients sharing with the demo clinician, so the patient list has someone to put
# first: (email, name, [(days ago, intensity, red flags)], share lasts days or None).
OTHER_PATIENTS = (
    (
        "priya@example.com",
        "Priya Shah",
        [(120, 4, {}), (60, 5, {}), (2, 7, {"numbness": True})],
        None,
    ),
    ("tom@example.com", "Tom Becker", [(days, 4, {}) for days in (300, 250, 190, 130, 80, 20)], 90),
    ("maria@example.com", "Maria Lopez", [], 60),
)

NOTES = [
    "Bent down to pick up the laundry basket.",
    "Long drive to see family; stiff all the next day.",
    "Woke up with it, could hardly get out of bed.",
    "Gardening all afternoon.",
    "Moving furniture at work.",
]


def demo_history(now: datetime, rng: random.Random) -> list[dict]:
    """Flare-ups over two years, oldest first, as keyword arguments for `episode_log`."""
    start = now - timedelta(days=730)
    episodes = []
    day = 12.0
    while day < 725:
        progress = day / 730
        started_at = start + timedelta(days=day, hours=rng.uniform(6, 22))
        worse = progress > 0.55
        intensity = round(min(10, max(1, rng.gauss(3.8 + 3.2 * progress, 1.0))))
        both_sides = worse and rng.random() < 0.7
        spread = "none"
        if worse and rng.random() < 0.75:
            spread = rng.choice(["buttock", "thigh", "thigh", "below_knee"])
        elif rng.random() < 0.15:
            spread = "buttock"
        remedies = {"ibuprofen": rng.choice(["yes", "somewhat", "somewhat"])}
        if rng.random() < (0.6 if not worse else 0.35):
            remedies["bed_rest"] = rng.choice(["somewhat", "no", "no"])
        if worse and rng.random() < 0.6:
            remedies["walking"] = rng.choice(["yes", "somewhat"])
            remedies["stretching"] = rng.choice(["yes", "somewhat", "unknown"])
        if rng.random() < 0.4:
            remedies["heat"] = rng.choice(["yes", "somewhat"])
        duration = timedelta(days=rng.uniform(1, 6 if not worse else 9))
        ended_at = started_at + duration if started_at + duration < now else None
        episodes.append(
            {
                "started_at": started_at,
                "ended_at": ended_at,
                "intensity": intensity,
                "side": "both" if both_sides else rng.choice(["left", "left", "center"]),
                "spread": spread,
                "leg": ""
                if spread == "none"
                else ("both" if both_sides and spread == "buttock" else "left"),
                "spasm": rng.random() < 0.5,
                "numbness": worse and spread in ("below_knee",) and rng.random() < 0.5,
                "trigger": rng.choice(["lifting", "bending", "sitting", "sleep", "unknown", ""]),
                "notes": rng.choice(NOTES) if rng.random() < 0.3 else "",
                "remedies": remedies,
            }
        )
        # Gaps shrink from about five weeks to about ten days.
        day += rng.expovariate(1 / (34 - 24 * progress))
    return episodes


class Command(BaseCommand):
    help = "Create the demo patient (two years of flare-ups) and the demo clinician, once."

    def handle(self, *args, **options):
        patient_email, patient_password = DEMO_PATIENT
        clinician_email, clinician_password = DEMO_CLINICIAN
        with transaction.atomic():
            clinician = User.objects.filter(email=clinician_email).first()
            if clinician is None:
                clinician = User.objects.create_user(
                    clinician_email,
                    clinician_password,
                    role=Role.CLINICIAN,
                    timezone=DEMO_TIMEZONE,
                )
                # No second factor: the demo clinician sets one up at the first log-in (an
                # authenticator app or a passkey), as every clinician must before reading
                # a patient's history.
                vouch_for_email(clinician)
            patient = User.objects.filter(email=patient_email).first()
            if patient is None:
                patient = User.objects.create_user(
                    patient_email,
                    patient_password,
                    timezone=DEMO_TIMEZONE,
                    privacy_version=settings.PRIVACY_NOTICE_VERSION,
                    privacy_agreed_at=timezone.now(),
                    display_name=DEMO_NAME,
                    date_of_birth=DEMO_BIRTH,
                )
                vouch_for_email(patient)
                rng = random.Random(20261124)
                relief = random.Random(20261202)
                for fields in demo_history(timezone.now(), rng):
                    remedies = fields.pop("remedies")
                    episode, _ = episode_log(patient=patient, remedies=remedies, **fields)
                    if episode.ended_at is not None and relief.random() < 0.7:
                        # The relief check answered about 2 hours after the painkiller.
                        reading_add(
                            episode=episode,
                            intensity=max(0, episode.intensity - relief.choice([0, 1, 2, 2, 3, 4])),
                            taken_at=min(episode.started_at + timedelta(hours=2), episode.ended_at),
                            relief_check=True,
                        )
                    # As if each flare-up had been logged an hour after it began.
                    Prompt.objects.filter(episode=episode).update(
                        shown_at=episode.started_at + timedelta(hours=1)
                    )
                patient_status_refresh(patient=patient)  # after the advice times moved
                # So that the demo clinician can read the demo patient's summary at once.
                Share.objects.create(patient=patient, clinician=clinician)
                self.other_patients(clinician)
                self.stdout.write(
                    f"Demo patient created with {patient.episodes.count()} flare-ups, shared "
                    "with the demo clinician."
                )
            else:
                self.stdout.write("Demo accounts already exist; nothing changed.")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo logins:\n"
                f"  patient    {patient_email} / {patient_password}\n"
                f"  clinician  {clinician_email} / {clinician_password}"
                " (sets up a second factor at the first log-in)"
            )
        )

    def other_patients(self, clinician: User) -> None:
        """Short histories (these accounts cannot log in: they have no password)."""
        now = timezone.now()
        for email, name, history, share_days in OTHER_PATIENTS:
            if User.objects.filter(email=email).exists():
                continue
            patient = User.objects.create_user(
                email, None, timezone=DEMO_TIMEZONE, display_name=name
            )
            for days_ago, intensity, flags in history:
                episode_log(
                    patient=patient,
                    started_at=now - timedelta(days=days_ago, hours=3),
                    intensity=intensity,
                    side="left",
                    spread="none",
                    **flags,
                )
            expires = now + timedelta(days=share_days) if share_days else None
            Share.objects.create(patient=patient, clinician=clinician, expires_at=expires)
