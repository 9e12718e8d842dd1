"""The CAC's roles, as Django groups, and the permissions each one holds.

The data migration `cac.0002_roles` creates the groups from this table; each app whose permissions appear here
calls `sync_roles` again in a migration of its own.
"""

from django.utils.translation import gettext_lazy as _

AGENT = "agent"
SERVICE_MANAGER = "service_manager"
SALES_MANAGER = "sales_manager"
DIRECTOR = "director"
EXECUTIVE = "executive"
ADMIN = "admin"


def manager_of(*, sales: bool) -> str:
    """The one rule for the manager of a side of the house: the showroom manager for sales (purchases, deliveries),
    the service manager for everything after the sale."""
    return SALES_MANAGER if sales else SERVICE_MANAGER


ROLE_LABELS = {
    AGENT: _("CAC agent"),
    SERVICE_MANAGER: _("Service manager"),
    SALES_MANAGER: _("Showroom (sales) manager"),
    DIRECTOR: _("Director"),
    EXECUTIVE: _("Executive"),
    ADMIN: _("Administrator"),
}

_DESK = [
    "cac.view_customer",
    "cac.add_customer",
    "cac.change_customer",
    "cac.view_vehicle",
    "cac.add_vehicle",
    "cac.change_vehicle",
    "cac.view_calllog",
    "cac.add_calllog",
    "cac.listen_to_recording",
    # Who calls customers sees their whole numbers; everyone else sees them masked (138****8000) and may reveal one.
    "cac.view_full_phone",
]
_READ_ONLY = ["cac.view_customer", "cac.view_vehicle", "cac.view_calllog", "complaints.view_complaint"]
_COMPLAINTS = [
    "complaints.view_complaint",
    "complaints.add_complaint",
    "complaints.handle_complaint",
    "complaints.view_keyattentionvehicle",
]
_MANAGE_COMPLAINTS = [*_COMPLAINTS, "complaints.manage_complaint"]
_CALLBACKS = ["callbacks.view_callback", "callbacks.work_callback"]
_SUPERVISE_CALLBACKS = [*_CALLBACKS, "callbacks.supervise_callback"]
_VIEW_EVENTS = ["cac.view_sale", "cac.view_servicevisit"]
_EVENTS = [*_VIEW_EVENTS, "cac.add_sale", "cac.add_servicevisit"]  # deliveries and repair orders, by hand or CSV
_PROSPECTS = [
    "prospects.view_prospect",
    "prospects.add_prospect",
    "prospects.change_prospect",
    "prospects.work_prospect",
]
_MANAGE_PROSPECTS = [*_PROSPECTS, "prospects.manage_prospect"]
# The monthly complaint analysis: executives, directors and managers request, read and download it, and read the
# corrective actions it calls for; the managers and directors plan and close them (executives change no record).
_REPORTS = ["reports.view_monthlyreport", "reports.add_monthlyreport", "reports.view_correctiveaction"]
_PLAN_ACTIONS = ["reports.add_correctiveaction", "reports.change_correctiveaction"]
# The executive's dashboard (where the dealers stand against their targets): executives, directors, administrators.
_DASHBOARD = ["reports.view_dashboard"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: [*_DESK, *_COMPLAINTS, *_CALLBACKS, *_EVENTS, *_PROSPECTS],
    SERVICE_MANAGER: [
        *_DESK,
        "cac.change_calllog",
        *_MANAGE_COMPLAINTS,
        *_SUPERVISE_CALLBACKS,
        *_EVENTS,
        *_REPORTS,
        *_PLAN_ACTIONS,
    ],
    SALES_MANAGER: [
        *_DESK,
        "cac.change_calllog",
        *_MANAGE_COMPLAINTS,
        *_SUPERVISE_CALLBACKS,
        *_EVENTS,
        *_MANAGE_PROSPECTS,
        *_REPORTS,
        *_PLAN_ACTIONS,
    ],
    DIRECTOR: [
        *_DESK,
        "cac.change_calllog",
        *_MANAGE_COMPLAINTS,
        *_SUPERVISE_CALLBACKS,
        *_EVENTS,
        *_MANAGE_PROSPECTS,
        *_REPORTS,
        *_PLAN_ACTIONS,
        *_DASHBOARD,
    ],
    EXECUTIVE: [
        *_READ_ONLY,
        "complaints.view_keyattentionvehicle",
        "callbacks.view_callback",
        *_VIEW_EVENTS,
        "prospects.view_prospect",
        *_REPORTS,
        *_DASHBOARD,
    ],
    ADMIN: [
        *_DESK,
        "cac.change_calllog",
        *_MANAGE_COMPLAINTS,
        *_SUPERVISE_CALLBACKS,
        *_EVENTS,
        *_MANAGE_PROSPECTS,
        "complaints.view_complaintsla",
        "complaints.change_complaintsla",
        "complaints.add_complaintsla",
        "cac.view_dealer",
        "cac.change_dealer",
        "cac.view_user",
        "cac.add_user",
        "cac.change_user",
        # Every other role's permissions are within the administrator's, so that it may give any role (cac.security.access).
        *_REPORTS,
        *_PLAN_ACTIONS,
        # Lockouts of its dealers' users: seen and cleared in the admin; a lost phone's device removed.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        # The PIPL's rights of the person: erasure on request, and the log of who accessed personal data.
        "cac.erase_customer",
        "cac.view_accesslog",
        # The SMS templates registered with the gateways, and the messages with their receipts.
        "cac.view_smstemplate",
        "cac.add_smstemplate",
        "cac.change_smstemplate",
        "cac.view_smsmessage",
        # Each dealer's targets, against which the executive's dashboard colours its figures.
        "reports.view_dealertarget",
        "reports.add_dealertarget",
        "reports.change_dealertarget",
        *_DASHBOARD,
    ],
}


def role_names(user) -> frozenset[str]:
    """The names of the user's role groups, read once per request: several parts of a page ask (which home, whose
    calls ring, which triage board), and the user object lives as long as the request."""
    names = getattr(user, "_cac_role_names", None)
    if names is None:
        names = user._cac_role_names = frozenset(user.groups.values_list("name", flat=True))
    return names


def sync_roles(apps=None) -> None:
    """Create the role groups and give each exactly the permissions of the table above."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    # Inside a migration, permissions of models created by this very run do not exist yet.
    for app_config in apps.get_app_configs():
        had_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = had_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        # A permission of an app not migrated yet is given by that app's own migration, which calls this again.
        group.permissions.set([existing[perm] for perm in perms if perm in existing])
