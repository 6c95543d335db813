from django import template

from episodes import describe

register = template.Library()

register.filter("span", describe.span)
register.filter("duration_so_far", describe.duration_so_far)
register.filter("where", describe.where)
register.filter("tried_text", describe.tried_text)
