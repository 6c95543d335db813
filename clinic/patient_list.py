"""A clinician's patients, those who need attention first.

The list reads each patient's status row (`advice.PatientStatus`, kept up to date on every
write) beside the share, never the patients' histories: its cost grows with the number of
patients sharing with this clinician, not with the size of the database. The one count that
depends on the clinician's own last look (flare-ups logged since) is read for the page's rows
only, from an index, and capped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from episodes.models import Episode

from .models import Share

PAGE_SIZE = 25
# "99+ new": past this the exact number adds nothing, and counting it would read more rows.
NEW_COUNT_CAP = 99

NEW_SEEK_CARE, RISING, OTHERS = 0, 1, 2


class CappedCount(Subquery):
    """The number of rows of a subquery, counting at most its slice."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def shares_by_attention(clinician) -> QuerySet[Share]:
    """The clinician's live shares, with the patient and their status, ordered: new emergency
    or urgent advice since the clinician's last look (or any, before a first look) first,
    then a rising trend, then the rest; within each, the most recent flare-up first."""
    status = "patient__patient_status__"
    return (
        Share.objects.live()
        .filter(clinician=clinician)
        .select_related("patient", "patient__patient_status")
        .annotate(
            # Never opened: every emergency or urgent advice is new to this clinician.
            new_seek_care=Case(
                When(
                    Q(last_viewed_at__isnull=True, **{f"{status}seek_care_at__isnull": False})
                    | Q(**{f"{status}seek_care_at__gt": F("last_viewed_at")}),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .annotate(
            attention=Case(
                When(new_seek_care=True, then=Value(NEW_SEEK_CARE)),
                When(**{f"{status}rising": True}, then=Value(RISING)),
                default=Value(OTHERS),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "attention",
            F(f"{status}last_started_at").desc(nulls_last=True),
            "patient__email",
            "pk",
        )
    )


def search_shares(shares: QuerySet[Share], *, show: str, search: str) -> QuerySet[Share]:
    if show == "attention":
        shares = shares.filter(attention__lt=OTHERS)
    search = search.strip()
    if search:
        shares = shares.filter(
            Q(patient__email__icontains=search) | Q(patient__display_name__icontains=search)
        )
    return shares


def with_new_counts(shares: list[Share]) -> list[Share]:
    """Each share's `new_count`: flare-ups logged since the clinician's last look (capped)."""
    if not shares:
        return shares
    logged_since = (
        Episode.objects.filter(
            patient=OuterRef("patient_id"), created_at__gt=OuterRef("seen_since")
        )
        .order_by()
        .values("id")[: NEW_COUNT_CAP + 1]
    )
    counts = dict(
        Share.objects.filter(pk__in=[share.pk for share in shares])
        .annotate(seen_since=Coalesce("last_viewed_at", "created_at"))
        .annotate(new_count=CappedCount(logged_since))
        .values_list("pk", "new_count")
    )
    for share in shares:
        share.new_count = counts[share.pk]
        share.new_count_capped = share.new_count > NEW_COUNT_CAP
    return shares


@dataclass(frozen=True)
class PatientPage:
    shares: list[Share]
    number: int
    has_next: bool
    first_index: int  # of the page's first row, counting from 1


def patient_page(clinician, *, show: str = "all", search: str = "", number: int = 1) -> PatientPage:
    shares = search_shares(shares_by_attention(clinician), show=show, search=search)
    offset = (number - 1) * PAGE_SIZE
    rows = list(shares[offset : offset + PAGE_SIZE + 1])
    return PatientPage(
        shares=with_new_counts(rows[:PAGE_SIZE]),
        number=number,
        has_next=len(rows) > PAGE_SIZE,
        first_index=offset + 1,
    )
