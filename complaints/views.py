"""Complaint screens: open one from the call desk, the list, the detail with only the steps the user may take now,
the managers' triage board, "my complaints" and the key-attention vehicles. Views are thin: a form validates,
one service writes, a refused step comes back as a form error."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cac.desk import selectors as cac_selectors
from cac.desk.forms import add_service_errors
from cac.platform.media import stored_file_response
from cac.platform.pagination import page_of
from cac.platform.views import id_param, role_required, scoped
from cac.security.once import submit_once
from complaints import selectors, services
from complaints.filters import ComplaintFilter, TriageFilter
from complaints.forms import (
    AssignForm,
    AttachmentForm,
    AuthorityAnswerForm,
    AuthorityRequestForm,
    BulkAssignForm,
    ComplaintCreateForm,
    ComplaintDetailsForm,
    DispatchForm,
    EscalateForm,
    IdentifyForm,
    ResponsibleForm,
    transition_form,
)
from complaints.models import HANDLE, MANAGE, OPEN_STATUSES, EscalationLevel, Status

VIEW = "complaints.view_complaint"
ADD = "complaints.add_complaint"
VIEW_KEY_VEHICLES = "complaints.view_keyattentionvehicle"
PAGE_SIZE = 25
# Served in the browser; anything else is downloaded.
INLINE_TYPES = ("image/", "audio/", "application/pdf")


# --- Opening a complaint -----------------------------------------------------------------------------------------


@role_required(ADD)
@scoped
@require_http_methods(["GET", "POST"])
def complaint_create(request):
    """`?customer=<id>&call=<id>`: the customer found on the desk, a choice of their vehicles, the call linked."""
    customer_id = id_param(request, "customer")
    if customer_id is None:
        messages.info(request, _("Find the customer on the call desk first, then open the complaint from their page."))
        return redirect("call_desk")
    customer = cac_selectors.customer_get(user=request.user, customer_id=customer_id)
    call = None
    if (call_id := id_param(request, "call")) is not None:
        call = cac_selectors.call_get(user=request.user, call_id=call_id)
        if call.customer_id not in (None, customer.pk):
            raise Http404(_("Not found."))
    form = ComplaintCreateForm(
        request.POST or None,
        vehicles=customer.vehicles.all(),
        staff=selectors.complaint_staff_choices(user=request.user, dealer_id=customer.dealer_id),
        initial=ComplaintCreateForm.initial_for(vehicles=list(customer.vehicles.all()), call=call),
        once_user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.complaint_create(
                    customer=customer, acting_user=request.user, call=call, **form.service_fields()
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(request, _("Complaint %(number)s opened.") % {"number": once.record.number})
            return redirect("complaints:detail", complaint_id=once.record.pk)
    return render(request, "complaints/complaint_form.html", {"form": form, "customer": customer, "call": call})


# --- Lists ------------------------------------------------------------------------------------------------------


@role_required(VIEW)
@require_GET
def complaint_list(request):
    handlers = selectors.complaint_handler_list(user=request.user)
    complaint_filter = ComplaintFilter(
        request.GET,
        queryset=selectors.complaint_list(user=request.user),
        staff=handlers,
        dealer_ids=cac_selectors.dealer_ids(user=request.user),
    )
    queryset = selectors.by_nearest_deadline(complaint_filter.qs)
    page = page_of(queryset, request.GET.get("page"), PAGE_SIZE)
    return render(request, "complaints/complaint_list.html", {"filter": complaint_filter, "page": page})


@role_required(HANDLE)
@require_GET
def complaint_mine(request):
    page = page_of(selectors.complaint_mine(user=request.user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "complaints/complaint_mine.html", {"page": page})


@role_required(MANAGE)
@require_http_methods(["GET", "POST"])
def complaint_triage(request):
    """Escalated, reopened and at-risk complaints first, then those to assign, then the new ones acknowledged; filter
    and search them; tick several and give them to a handler."""
    handlers = selectors.complaint_handler_list(user=request.user)
    form = BulkAssignForm(
        request.POST or None, complaints=selectors.complaint_open_list(user=request.user), handlers=handlers
    )
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            changed = services.complaint_assign(
                complaint_ids=[complaint.pk for complaint in form.cleaned_data["complaints"]],
                owner=owner,
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(count)d complaint(s) assigned to %(name)s.") % {"count": changed, "name": owner}
            )
            return redirect(request.get_full_path())
    triage_filter = TriageFilter(
        request.GET,
        queryset=selectors.complaint_triage(user=request.user),
        staff=handlers,
        dealer_ids=cac_selectors.dealer_ids(user=request.user),
    )
    page = page_of(triage_filter.qs, request.GET.get("page"), PAGE_SIZE)
    ticked = {str(pk) for pk in request.POST.getlist("complaints")}
    context = {
        "page": page,
        "filter": triage_filter,
        "form": form,
        "handlers": handlers,
        "ticked": ticked,
        "groups": selectors.TriageGroup,
    }
    return render(request, "complaints/triage.html", context)


# --- The detail page and its forms ------------------------------------------------------------------------------


def _listed(form, name: str, users: list):
    """An unbound form whose user choice shows `users`, already read, instead of reading its queryset again."""
    field = form.fields[name]
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *((member.pk, str(member)) for member in users)]
    return form


def _detail(request, complaint_id: int, *, forms: dict | None = None, open_panel: str = ""):
    """The detail page, fetched afresh; `forms` carries a bound form with errors to show in place of a blank one."""
    user = request.user
    forms = forms or {}
    complaint = selectors.complaint_detail(user=user, complaint_id=complaint_id)
    steps = [
        (action, label, forms.get(action) or transition_form(action))
        for action, label in services.available_transitions(complaint=complaint, user=user)
    ]
    available = {action for action, _label, _form in steps}
    refused = [form for action, form in forms.items() if action in services.TRANSITIONS and action not in available]
    is_open = complaint.status in OPEN_STATUSES
    can_handle = user.has_perm(HANDLE)
    context = {
        "complaint": complaint,
        "record": selectors.complaint_record(complaint=complaint),
        "steps": steps,
        "refused": refused,
        "open_panel": open_panel,
        "can_handle": can_handle,
        # Inside the dealer only: the OEM region is asked for an authorisation (the form below), not escalated to.
        "can_escalate": can_handle and is_open and complaint.escalation_level < EscalationLevel.DIRECTOR,
        "escalate_form": forms.get("escalate") or EscalateForm(once_user=user),
        "attachment_form": forms.get("attachment") or AttachmentForm(once_user=user),
        "assign_form": None,
        "identify_form": None,
        "authority_form": None,
        "answer_forms": {},
    }
    manages = user.has_perm(MANAGE)
    if manages and complaint.status not in (Status.CLOSED, Status.CANCELLED):
        # One query for the handler and the staff-member choices; a bound form validates against its queryset.
        staff = selectors.complaint_staff_for_forms(user=user, dealer_id=complaint.dealer_id)
        if is_open:
            handlers = selectors.complaint_handler_list(user=user, dealer_id=complaint.dealer_id)
            context["assign_form"] = forms.get("assign") or _listed(
                AssignForm(handlers=handlers, initial={"owner": complaint.owner_id}),
                "owner",
                [member for member in staff if member.may_handle],
            )
            context["authority_form"] = forms.get("authority") or AuthorityRequestForm(once_user=user)
        context["identify_form"] = forms.get("identify") or _listed(
            IdentifyForm(
                staff=selectors.complaint_staff_choices(user=user, dealer_id=complaint.dealer_id),
                initial=IdentifyForm.initial_for(complaint),
            ),
            "staff_involved",
            staff,
        )
    if "identify" in forms:
        context["identify_form"] = forms["identify"]  # a refusal is shown, even of a complaint closed meanwhile
    if manages:
        context["answer_forms"] = {
            authority.pk: forms.get(f"answer-{authority.pk}") or AuthorityAnswerForm(request_id=authority.pk)
            for authority in context["record"].authority_requests
            if authority.is_pending
        }
    return render(request, "complaints/complaint_detail.html", context)


@role_required(VIEW)
@scoped
@require_GET
def complaint_detail(request, complaint_id: int):
    return _detail(request, complaint_id)


@role_required(HANDLE)
@scoped
@require_POST
def complaint_transition(request, complaint_id: int, action: str):
    """One step of the state machine. A step the user may not take now is a form error; nothing changes."""
    if action not in services.TRANSITIONS:
        raise Http404(_("Not found."))
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = transition_form(action, request.POST)
    if form.is_valid():
        try:
            services.complaint_transition(
                complaint_id=complaint.pk, action=action, acting_user=request.user, **form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s: “%(step)s” done.") % {"number": complaint.number, "step": services.TRANSITIONS[action]},
            )
            return redirect("complaints:detail", complaint_id=complaint.pk)
    # Said at the top of the page too: the panel's field errors may sit below the fold.
    messages.error(
        request,
        _("%(number)s: “%(step)s” was not done; see the form below.")
        % {"number": complaint.number, "step": services.TRANSITIONS[action]},
    )
    return _detail(request, complaint.pk, forms={action: form}, open_panel=action)


@role_required(HANDLE)
@scoped
@require_POST
def complaint_escalate(request, complaint_id: int):
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = EscalateForm(request.POST, once_user=request.user)
    if form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.complaint_escalate(
                    complaint_id=complaint.pk,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(
                    request,
                    _("%(number)s escalated to %(level)s.")
                    % {"number": complaint.number, "level": once.record.get_to_level_display()},
                )
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return _detail(request, complaint.pk, forms={"escalate": form}, open_panel="escalate")


@role_required(MANAGE)
@scoped
@require_POST
def complaint_identify(request, complaint_id: int):
    """The manager's 识别: category, department, severity, channel and the staff member, corrected with a reason."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = IdentifyForm(
        request.POST, staff=selectors.complaint_staff_choices(user=request.user, dealer_id=complaint.dealer_id)
    )
    if form.is_valid():
        try:
            services.complaint_identify(complaint_id=complaint.pk, acting_user=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(number)s corrected.") % {"number": complaint.number})
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return _detail(request, complaint.pk, forms={"identify": form}, open_panel="identify")


@role_required(MANAGE)
@scoped
@require_POST
def authority_request(request, complaint_id: int):
    """Ask the OEM region for an authorisation that exceeds the dealer's (seed 000 §五.7)."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = AuthorityRequestForm(request.POST, once_user=request.user)
    if form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.authority_request_create(
                    complaint_id=complaint.pk,
                    kind=form.cleaned_data["kind"],
                    request=form.cleaned_data["request"],
                    acting_user=request.user,
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(request, _("%(number)s: the OEM region is asked.") % {"number": complaint.number})
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return _detail(request, complaint.pk, forms={"authority": form}, open_panel="authority")


@role_required(MANAGE)
@scoped
@require_POST
def authority_answer(request, request_id: int):
    """Record the OEM region's answer to one request: granted or refused, and what it said."""
    authority = selectors.authority_request_get(user=request.user, request_id=request_id)
    form = AuthorityAnswerForm(request.POST, request_id=authority.pk)
    if form.is_valid():
        try:
            services.authority_request_answer(
                request_id=authority.pk,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["answer_note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The OEM region's answer is recorded."))
            return redirect("complaints:detail", complaint_id=authority.complaint_id)
    return _detail(
        request, authority.complaint_id, forms={f"answer-{authority.pk}": form}, open_panel=f"answer-{authority.pk}"
    )


@role_required(MANAGE)
@scoped
@require_POST
def complaint_assign(request, complaint_id: int):
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    handlers = selectors.complaint_handler_list(user=request.user, dealer_id=complaint.dealer_id)
    form = AssignForm(request.POST, handlers=handlers)
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            services.complaint_assign(complaint_ids=[complaint.pk], owner=owner, acting_user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(number)s is handled by %(name)s.") % {"number": complaint.number, "name": owner}
            )
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return _detail(request, complaint.pk, forms={"assign": form}, open_panel="assign")


@role_required(HANDLE)
@scoped
@require_POST
def attachment_add(request, complaint_id: int):
    """Evidence (photo, letter, recording). An invalid file is a field error and nothing is stored."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = AttachmentForm(request.POST, request.FILES, once_user=request.user)
    if form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.attachment_add(
                    complaint_id=complaint.pk,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                    acting_user=request.user,
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(request, _("Evidence added."))
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return _detail(request, complaint.pk, forms={"attachment": form}, open_panel="attachment")


@role_required(VIEW)
@scoped
@require_GET
def attachment_download(request, attachment_id: int):
    """An attachment, streamed only to staff of its complaint's dealer who may see complaints."""
    attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    # The type comes from the checked file extension, never from what the uploader's browser claimed.
    content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
    inline = content_type.startswith(INLINE_TYPES)
    return stored_file_response(
        request, attachment.file, content_type=content_type, as_attachment=not inline, filename=attachment.original_name
    )


@role_required(HANDLE)
@scoped
@require_http_methods(["GET", "POST"])
def dispatch_edit(request, complaint_id: int):
    """The regional engineer called for an emergency: who, when, promised and actual arrival, appraisal."""
    complaint = selectors.complaint_detail(user=request.user, complaint_id=complaint_id)
    dispatch = selectors.complaint_dispatch(complaint=complaint)
    initial = {name: getattr(dispatch, name) for name in DispatchForm.base_fields} if dispatch else {}
    form = DispatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispatch_update(complaint_id=complaint.pk, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Engineer dispatch saved."))
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return render(
        request,
        "complaints/complaint_subform.html",
        {"form": form, "complaint": complaint, "title": _("Engineer dispatch")},
    )


@role_required(HANDLE)
@scoped
@require_http_methods(["GET", "POST"])
def complaint_edit(request, complaint_id: int):
    """Correct the facts: description, demand, abnormal flag, OEM reference and report times."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = ComplaintDetailsForm(request.POST or None, initial=ComplaintDetailsForm.initial_for(complaint))
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_update_details(
                complaint_id=complaint.pk, acting_user=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": complaint.number})
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return render(
        request,
        "complaints/complaint_subform.html",
        {"form": form, "complaint": complaint, "title": _("Edit complaint details")},
    )


# --- Key-attention vehicles -------------------------------------------------------------------------------------


@role_required(VIEW_KEY_VEHICLES)
@require_GET
def key_vehicle_list(request):
    return _key_vehicles(request)


def _key_vehicles(request, *, bound: tuple[int, ResponsibleForm] | None = None):
    entries = selectors.key_attention_list(user=request.user)
    if (dealer_id := id_param(request, "dealer")) is not None:
        entries = entries.filter(dealer_id=dealer_id)  # the dashboard's figure of one dealer
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    staff = list(cac_selectors.staff_list(user=request.user)) if request.user.has_perm(MANAGE) else []
    return render(
        request,
        "complaints/key_vehicles.html",
        {
            "page": page,
            "staff": staff,
            "bound_id": bound[0] if bound else None,
            "bound_form": bound[1] if bound else None,
        },
    )


@role_required(MANAGE)
@scoped
@require_POST
def key_vehicle_assign(request, entry_id: int):
    """Name the person responsible for a key-attention vehicle (the service manager's call)."""
    form = ResponsibleForm(request.POST, staff=cac_selectors.staff_list(user=request.user))
    if form.is_valid():
        try:
            entry = services.key_attention_assign(
                entry_id=entry_id, responsible=form.cleaned_data["responsible"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is responsible for %(vehicle)s.") % {"name": entry.responsible, "vehicle": entry.vehicle},
            )
            return redirect("complaints:key_vehicles")
    return _key_vehicles(request, bound=(entry_id, form))
