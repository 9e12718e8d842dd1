"""`{{ customer.mobile|phone_for:request.user }}`: a number whole for the roles that call customers, masked
(`138****8000`) for the others. Also for texts that may hold numbers (a notification's body)."""

from django import template

from cac.security import privacy

register = template.Library()


@register.filter
def phone_for(value, user) -> str:
    return privacy.phone_for(value, user)
