"""Prospect screens: the list and the board, "due today", quick capture from the call desk, the detail with the
steps the user may take now, campaigns and the conversion funnel. Views are thin: a form validates, one service
writes, a refused step comes back as a form error."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cac.desk import selectors as cac_selectors
from cac.desk.phones import phone_digits
from cac.desk.selectors import dealer_ids, dealer_list
from cac.platform.pagination import page_of
from cac.platform.views import id_param, role_required, scoped
from cac.platform.zones import dealers_zone, month_bounds, parse_month
from cac.security.once import already_submitted, submit_once
from prospects import selectors, services
from prospects.forms import (
    AttemptForm,
    CampaignForm,
    ProspectCreateForm,
    ProspectEditForm,
    ProspectFilterForm,
    add_service_errors,
    transition_form,
)
from prospects.models import MANAGE, WORK, Source

VIEW = "prospects.view_prospect"
ADD = "prospects.add_prospect"
CHANGE = "prospects.change_prospect"
PAGE_SIZE = 25


@role_required(VIEW)
@require_GET
def prospect_list(request):
    form = ProspectFilterForm(request.GET or None, dealers=dealer_list(user=request.user))
    prospects = selectors.prospect_list(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if query := (data["q"] or "").replace("\x00", "").strip():
            digits = phone_digits(query)
            condition = Q(name__icontains=query)
            if len(digits) >= 3:
                condition |= Q(phone__startswith=digits)
            prospects = prospects.filter(condition)
        for name in ("status", "grade", "source"):
            if data[name]:
                prospects = prospects.filter(**{name: data[name]})
        if data["mine"]:
            prospects = prospects.filter(owner=request.user)
        if data["dealer"]:
            prospects = prospects.filter(dealer=data["dealer"])
        if month := parse_month(data["month"]):
            # Captured in the month, in the zone of the dealers listed, as the dashboard counts them.
            ids = [data["dealer"].pk] if data["dealer"] else dealer_ids(user=request.user)
            prospects = prospects.filter(selectors.captured_in(*month_bounds(month, dealers_zone(ids))))
    page = page_of(prospects.order_by("next_contact_at", "-pk"), request.GET.get("page"), PAGE_SIZE)
    return render(request, "prospects/prospect_list.html", {"form": form, "page": page})


@role_required(VIEW)
@require_GET
def prospect_board(request):
    mine = request.GET.get("mine") == "1"
    columns = selectors.prospect_board(user=request.user, mine=mine)
    return render(request, "prospects/board.html", {"columns": columns, "mine": mine})


@role_required(WORK)
@require_GET
def prospect_due(request):
    page = Paginator(selectors.prospect_due(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prospects/due.html", {"page": page})


@role_required(ADD)
@scoped
@require_http_methods(["GET", "POST"])
def prospect_create(request):
    """`?phone=...&call=<id>` from the call desk: the number prefilled and the call linked."""
    call = None
    if (call_id := id_param(request, "call")) is not None:
        call = cac_selectors.call_get(user=request.user, call_id=call_id)
    dealers = list(cac_selectors.dealer_list(user=request.user).order_by("name"))
    initial = {"phone": request.GET.get("phone", "")[:30]}
    if call is not None:
        initial |= {"phone": call.phone, "dealer": call.dealer_id, "source": "phone"}
        if call.customer_id:
            initial["name"] = call.customer.name
        elif call.caller_name:
            initial["name"] = call.caller_name
    form = ProspectCreateForm(
        request.POST or None,
        initial=initial,
        dealers=dealers,
        owners=selectors.prospect_owner_list(user=request.user),
        once_user=request.user,
    )
    customers, prospects = [], []
    if request.method == "POST" and form.is_valid() and (done := already_submitted(form)) is not None:
        return redirect("prospects:detail", prospect_id=done.record.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customers, prospects = selectors.prospect_duplicates(
            user=request.user, dealer_id=data["dealer"].pk, phone=data["phone"]
        )
        if (customers or prospects) and not data["confirm_duplicate"] and (done := already_submitted(form)):
            # The same submit, sent twice at once: the other one has just written the record this one now finds.
            return redirect("prospects:detail", prospect_id=done.record.pk)
        if (customers or prospects) and not data["confirm_duplicate"]:
            form.add_error(
                "phone", _("This number is already known. Open the existing record or tick “Capture anyway”.")
            )
        else:
            try:
                once = submit_once(
                    form,
                    lambda: services.prospect_create(
                        dealer=data["dealer"],
                        acting_user=request.user,
                        name=data["name"],
                        phone=data["phone"],
                        source=data["source"],
                        owner=data["owner"],
                        grade=data["grade"],
                        model_of_interest=data["model_of_interest"],
                        budget=data["budget"],
                        notes=data["notes"],
                        call=call,
                    ),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if once.created:
                    messages.success(request, _("Prospect %(name)s captured.") % {"name": once.record.name})
                return redirect("prospects:detail", prospect_id=once.record.pk)
    elif request.method == "GET" and len(phone_digits(initial["phone"])) == 11 and len(dealers) == 1:
        customers, prospects = selectors.prospect_duplicates(
            user=request.user, dealer_id=dealers[0].pk, phone=initial["phone"]
        )
    return render(
        request,
        "prospects/prospect_form.html",
        {"form": form, "call": call, "duplicate_customers": customers, "duplicate_prospects": prospects},
    )


def _detail(request, prospect_id: int, *, forms: dict | None = None):
    user = request.user
    forms = forms or {}
    prospect = selectors.prospect_detail(user=user, prospect_id=prospect_id)
    steps = [
        (action, label, forms.get(action) or transition_form(action, prospect=prospect))
        for action, label in services.available_transitions(prospect=prospect, user=user)
    ]
    available = {action for action, _label, _form in steps}
    refused = [form for action, form in forms.items() if action in services.TRANSITIONS and action not in available]
    can_call = user.has_perm(WORK) and prospect.is_open
    context = {
        "prospect": prospect,
        "attempts": selectors.prospect_attempts(prospect=prospect),
        "steps": steps,
        "refused": refused,
        "attempt_form": forms.get("attempt") or (AttemptForm(once_user=user) if can_call else None),
        "can_edit": user.has_perm(CHANGE),
    }
    return render(request, "prospects/prospect_detail.html", context)


@role_required(VIEW)
@scoped
@require_GET
def prospect_detail(request, prospect_id: int):
    return _detail(request, prospect_id)


@role_required(WORK)
@scoped
@require_POST
def prospect_attempt(request, prospect_id: int):
    prospect = selectors.prospect_get(user=request.user, prospect_id=prospect_id)
    form = AttemptForm(request.POST, once_user=request.user)
    if form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.prospect_record_attempt(
                    prospect_id=prospect.pk, acting_user=request.user, **form.cleaned_data
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(request, _("Call recorded."))
            return redirect("prospects:detail", prospect_id=prospect.pk)
    return _detail(request, prospect.pk, forms={"attempt": form})


@role_required(WORK)
@scoped
@require_POST
def prospect_transition(request, prospect_id: int, action: str):
    if action not in services.TRANSITIONS:
        raise Http404(_("Not found."))
    prospect = selectors.prospect_get(user=request.user, prospect_id=prospect_id)
    form = transition_form(action, request.POST)
    if form.is_valid():
        try:
            services.prospect_transition(
                prospect_id=prospect.pk, action=action, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(step)s: done.") % {"step": services.TRANSITIONS[action]})
            return redirect("prospects:detail", prospect_id=prospect.pk)
    return _detail(request, prospect.pk, forms={action: form})


@role_required(CHANGE)
@scoped
@require_http_methods(["GET", "POST"])
def prospect_edit(request, prospect_id: int):
    prospect = selectors.prospect_get(user=request.user, prospect_id=prospect_id)
    owners = selectors.prospect_owner_list(user=request.user, dealer_id=prospect.dealer_id)
    initial = {
        "grade": prospect.grade,
        "owner": prospect.owner_id,
        "model_of_interest": prospect.model_of_interest,
        "budget": prospect.budget,
        "notes": prospect.notes,
    }
    form = ProspectEditForm(request.POST or None, initial=initial, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            services.prospect_update(prospect_id=prospect.pk, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Prospect updated."))
            return redirect("prospects:detail", prospect_id=prospect.pk)
    return render(request, "prospects/prospect_edit.html", {"form": form, "prospect": prospect})


@role_required(MANAGE)
@require_GET
def prospect_funnel(request):
    by = request.GET.get("by", "source")
    if by not in selectors.FUNNEL_DIMENSIONS:
        by = "source"
    return render(
        request,
        "prospects/funnel.html",
        {"rows": selectors.prospect_funnel(user=request.user, by=by), "by": by, "sources": dict(Source.choices)},
    )


@role_required(MANAGE)
@require_GET
def campaign_list(request):
    page = Paginator(selectors.campaign_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prospects/campaign_list.html", {"page": page})


@role_required(MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    """The filters preview the archived and lost prospects a campaign will pick up; saving picks them up."""
    dealers = list(cac_selectors.dealer_list(user=request.user).order_by("name"))
    form = CampaignForm(request.POST or request.GET or None, dealers=dealers, once_user=request.user)
    candidates = []
    if form.is_bound and form.is_valid():
        candidates = list(
            selectors.campaign_candidates(
                user=request.user, dealer_id=form.cleaned_data["dealer"].pk, **form.filters()
            )[:500]
        )
        if request.method == "POST":
            data = form.cleaned_data
            try:
                once = submit_once(
                    form,
                    lambda: services.campaign_create(
                        dealer=data["dealer"],
                        acting_user=request.user,
                        name=data["name"],
                        models_text=data["models_text"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        message=data["message"],
                        prospects=candidates,
                    ),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if once.created:
                    messages.success(
                        request,
                        _("Campaign %(name)s: %(count)d prospect(s) given back to their owners.")
                        % {"name": once.record.name, "count": len(candidates)},
                    )
                return redirect("prospects:campaigns")
    elif request.method == "GET":
        form = CampaignForm(dealers=dealers, once_user=request.user)
    return render(request, "prospects/campaign_form.html", {"form": form, "candidates": candidates})
