from django import template

from advice.rules import LEVEL_ORDER, SEEK_CARE_LEVELS, TREND_CODES, Level

register = template.Library()

LEVEL_STYLES = {
    Level.EMERGENCY: "danger",
    Level.URGENT: "danger",
    Level.SOON: "warning",
    Level.SELF_CARE: "success",
}


@register.filter
def level_meaning(level: str) -> str:
    return Level(level).meaning


@register.filter
def level_style(level: str) -> str:
    return LEVEL_STYLES[Level(level)]


@register.filter
def level_name(level: str) -> str:
    """ "Emergency", "Urgent", "Soon" or "Self-care": never the stored code."""
    return Level(level).label


@register.filter
def by_level(prompts) -> list[tuple[Level, str, list]]:
    """Seek-care prompts grouped by level, most urgent first: (level, meaning, prompts)."""
    groups = []
    for level in LEVEL_ORDER:
        if level is Level.SELF_CARE:
            continue
        at_level = [prompt for prompt in prompts if prompt.level == level]
        if at_level:
            groups.append((level, level.meaning, at_level))
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


@register.filter
def seeks_care(level: str) -> bool:
    return level in SEEK_CARE_LEVELS
