"""The access log in words: what someone did (or tried to do) with a patient's data, as the
patient reads it on the Sharing page. The log itself stores short action codes."""

from __future__ import annotations

# action code: (what was done, what was tried and refused)
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "summary": ("Read your summary", "Tried to read your summary"),
    "history": ("Read your list of flare-ups", "Tried to read your list of flare-ups"),
    "episode": ("Opened one of your flare-ups", "Tried to open one of your flare-ups"),
    "change episode": (
        "Opened one of your flare-ups to change it",
        "Tried to open or change one of your flare-ups",
    ),
    "export csv": ("Downloaded your history (CSV)", "Tried to download your history (CSV)"),
    "export json": ("Downloaded your history (JSON)", "Tried to download your history (JSON)"),
    "export fhir": ("Downloaded your history (FHIR)", "Tried to download your history (FHIR)"),
}
# A code this table does not know yet still reads as words, never as the code.
UNKNOWN = ("Looked at your data", "Tried to look at your data")


def access_in_words(action: str, *, allowed: bool) -> str:
    done, tried = ACTION_WORDS.get(action, UNKNOWN)
    return done if allowed else tried
