from django import template

from advice.rules import LEVEL_MEANING, TREND_CODES, Level

register = template.Library()

LEVEL_STYLES = {
    Level.EMERGENCY: "danger",
    Level.URGENT: "danger",
    Level.SOON: "warning",
    Level.SELF_CARE: "success",
}
LEVEL_NAMES = {
    Level.EMERGENCY: "Emergency",
    Level.URGENT: "Urgent",
    Level.SOON: "Soon",
    Level.SELF_CARE: "Self-care",
}


@register.filter
def level_meaning(level: str) -> str:
    return LEVEL_MEANING[Level(level)]


@register.filter
def level_style(level: str) -> str:
    return LEVEL_STYLES[Level(level)]


@register.filter
def level_name(level: str) -> str:
    return LEVEL_NAMES[Level(level)]


@register.filter
def by_level(prompts) -> list[tuple[str, str, list]]:
    """Seek-care prompts grouped by level, most urgent first: (level, meaning, prompts)."""
    groups = []
    for level in (Level.EMERGENCY, Level.URGENT, Level.SOON):
        at_level = [prompt for prompt in prompts if prompt.level == level]
        if at_level:
            groups.append((str(level), LEVEL_MEANING[level], at_level))
    return groups


@register.filter
def without_trends(prompts) -> list:
    """The prompts about this flare-up itself (the trend ones are shown with the trends)."""
    return [prompt for prompt in prompts if prompt.code not in TREND_CODES]


@register.filter
def at_levels(prompts, levels: str) -> list:
    """The prompts at any of the comma-separated levels, in their given order."""
    wanted = set(levels.split(","))
    return [prompt for prompt in prompts if prompt.level in wanted]
