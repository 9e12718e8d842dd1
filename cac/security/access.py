"""Who may give which role and which dealer to whom: the rule that keeps administration from escalating.

Only a superuser (the platform's operator, made with `createsuperuser`) grants superuser or staff status, single
permissions, and dealers at will. Anyone else who manages users (a dealer's administrator: the `admin` role) manages
only the users whose every dealer is one of theirs, never a superuser, and never one holding a permission they do
not hold themselves; gives only their own dealers and only the roles whose every permission they hold; and changes
neither their own roles nor their own dealers.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from cac.desk.selectors import dealer_ids
from cac.models import Dealer, User


def _own_permissions(*, user: User) -> QuerySet[Permission]:
    return Permission.objects.filter(Q(user=user) | Q(group__user=user))


def grantable_roles(*, user: User) -> QuerySet[Group]:
    """The roles (groups) a user may give: every one to a superuser, else those made only of their permissions."""
    if user.is_superuser:
        return Group.objects.all()
    beyond = Permission.objects.exclude(pk__in=_own_permissions(user=user).values("pk"))
    return Group.objects.exclude(permissions__in=beyond)


def grantable_dealers(*, user: User) -> QuerySet[Dealer]:
    """The dealers a user may give: every one to a superuser, else their own."""
    if user.is_superuser:
        return Dealer.objects.all()
    return Dealer.objects.filter(pk__in=dealer_ids(user=user))


def manageable_users(*, user: User) -> QuerySet[User]:
    """The users a user may see in the administration: those whose every dealer is theirs, superusers excepted."""
    if user.is_superuser:
        return User.objects.all()
    ids = dealer_ids(user=user)
    through = User.dealers.through.objects
    theirs = through.filter(dealer_id__in=ids).values("user_id")
    elsewhere = through.exclude(dealer_id__in=ids).values("user_id")
    return User.objects.filter(is_superuser=False, pk__in=theirs).exclude(pk__in=elsewhere)


def user_may_manage(*, user: User, target: User) -> bool:
    """Whether `user` may change `target` (password, name, roles, dealers): a superuser may; anyone else only a
    manageable user whose roles and own permissions are all within theirs, so that taking over the account
    (by setting its password) gives nothing they do not have."""
    if user.is_superuser:
        return True
    if not manageable_users(user=user).filter(pk=target.pk).exists():
        return False
    if target.groups.exclude(pk__in=grantable_roles(user=user).values("pk")).exists():
        return False
    return not target.user_permissions.exclude(pk__in=_own_permissions(user=user).values("pk")).exists()
