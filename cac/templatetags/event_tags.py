"""The customer 360's list of recent deliveries and repair orders (the 360 view itself belongs to the call desk)."""

from django import template

from cac.events import selectors as event_selectors

register = template.Library()


@register.inclusion_tag("cac/events/_customer_events.html", takes_context=True)
def customer_events(context, customer):
    user = context["request"].user
    can_sales, can_visits = user.has_perm("cac.view_sale"), user.has_perm("cac.view_servicevisit")
    return {
        "customer": customer,
        "perms": context.get("perms"),
        "show": can_sales or can_visits,
        "sales": event_selectors.customer_recent_sales(user=user, customer=customer) if can_sales else [],
        "visits": event_selectors.customer_recent_service_visits(user=user, customer=customer) if can_visits else [],
    }
