"""The access log as the patient reads it: in words, newest first, a page at a time, with a
run of refused attempts by one person shown as one line, so that no amount of refused
attempts can push a real read out of sight.

Also the one writer of access events (`record_access`), used by the pages and the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, IntegerField, Max, Min, Q, Value, When

from .models import AccessEvent, Role

# What was asked for, in words: "doc@example.org · your summary · allowed". One entry per
# action code written anywhere; an unknown code is shown as it is.
ACTION_WORDS = {
    "summary": "your summary",
    "history": "your list of flare-ups",
    "episode": "one of your flare-ups",
    "change episode": "one of your flare-ups (your own page)",
    "export csv": "a download of your history as a spreadsheet (CSV)",
    "export json": "a download of your history file (JSON)",
    "export fhir": "a download of your history for a health record (FHIR)",
    "redeem code": "a share code that was not valid",
    "redeem code (locked)": "a share code, after too many wrong ones",
    "admin list episode": "your flare-ups, listed in the admin",
    "admin view episode": "one of your flare-ups, opened in the admin",
    "admin change episode": "one of your flare-ups, changed in the admin",
    "admin list prompt": "advice you were given, listed in the admin",
    "admin view prompt": "advice you were given, opened in the admin",
    "admin list share": "your shares, listed in the admin",
    "admin view share": "one of your shares, opened in the admin",
}

# Staff reading patient data in the Django admin are logged with this role.
STAFF_ROLE = "staff"
PAGE_LINES = 25


def action_words(action: str) -> str:
    """What was read, in words; an action without words yet still reads as words, never as
    its code."""
    return ACTION_WORDS.get(action, "your data")


def record_access(
    actor, patient_ref: int | None, action: str, *, allowed: bool, role: str = "", reason: str = ""
) -> AccessEvent:
    return AccessEvent.objects.create(
        actor_ref=actor.pk if actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        actor_role=role or getattr(actor, "role", "") or "",
        patient_ref=patient_ref,
        action=action,
        allowed=allowed,
        reason=reason,
    )


@dataclass(frozen=True)
class LogLine:
    """One read, or one or more refused attempts by one person with no read between."""

    at: datetime  # the latest
    actor_email: str
    action: str
    allowed: bool
    count: int = 1
    first_at: datetime | None = None  # the earliest, for a group
    reason: str = ""
    several_actions: bool = False

    @property
    def words(self) -> str:
        return action_words(self.action)

    @property
    def is_group(self) -> bool:
        return self.count > 1


@dataclass(frozen=True)
class LogPage:
    lines: list[LogLine]
    older: int | None  # the cursor (an event id) for the next, older page; None at the end
    is_first: bool


def patient_log(patient_ref: int):
    """What a patient sees of their log: every read, and clinicians' refused attempts. Another
    patient's refused attempt stays in the audit log only (it would show a stranger's email)."""
    return AccessEvent.objects.filter(patient_ref=patient_ref).filter(
        Q(allowed=True) | Q(actor_role=Role.CLINICIAN)
    )


def _newer_than(event: AccessEvent) -> Q:
    return Q(at__gt=event.at) | Q(at=event.at, id__gt=event.id)


def _older_than(event: AccessEvent) -> Q:
    return Q(at__lt=event.at) | Q(at=event.at, id__lt=event.id)


def patient_log_page(patient_ref: int, before: int | None = None) -> LogPage:
    """Up to PAGE_LINES reads, newest first, older than the event `before`, with the refused
    attempts around them grouped per person between two reads. Three queries, however many
    events there are."""
    events = patient_log(patient_ref)
    cursor = events.filter(pk=before).first() if before is not None else None
    if cursor is not None:
        events = events.filter(_older_than(cursor))
    reads = list(events.filter(allowed=True).order_by("-at", "-id")[: PAGE_LINES + 1])
    more = len(reads) > PAGE_LINES
    reads = reads[:PAGE_LINES]
    refused = events.filter(allowed=False)
    if more:
        # The rest of the refused attempts, older than this page's last read, come later.
        refused = refused.filter(_newer_than(reads[-1]))
    # Which gap between reads each refused attempt falls in: 0 is newer than the first read.
    gap = Case(
        *[When(_newer_than(read), then=Value(index)) for index, read in enumerate(reads)],
        default=Value(len(reads)),
        output_field=IntegerField(),
    )
    groups = (
        refused.annotate(gap=gap)
        .values("gap", "actor_ref", "actor_email")
        .annotate(
            count=Count("id"),
            first_at=Min("at"),
            last_at=Max("at"),
            actions=Count("action", distinct=True),
            action=Max("action"),
        )
        .order_by()
    )
    by_gap: dict[int, list[LogLine]] = {}
    for group in groups:
        by_gap.setdefault(group["gap"], []).append(
            LogLine(
                at=group["last_at"],
                actor_email=group["actor_email"],
                action=group["action"],
                allowed=False,
                count=group["count"],
                first_at=group["first_at"],
                several_actions=group["actions"] > 1,
            )
        )
    lines: list[LogLine] = []
    for index in range(len(reads) + 1):
        lines += sorted(by_gap.get(index, []), key=lambda line: line.at, reverse=True)
        if index < len(reads):
            read = reads[index]
            lines.append(
                LogLine(
                    at=read.at,
                    actor_email=read.actor_email,
                    action=read.action,
                    allowed=True,
                    reason=read.reason,
                )
            )
    return LogPage(lines=lines, older=reads[-1].pk if more else None, is_first=cursor is None)
