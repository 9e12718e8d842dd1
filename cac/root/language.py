"""The language switch: the pages' language for this browser, and for a signed-in user their language preference,
the one their e-mails are written in (`User.language`)."""

from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER, set_language

from cac.models import User


def user_language_set(*, user: User, language: str) -> bool:
    """Keep `language` as the user's preference. Returns whether it changed; a language the site does not offer
    changes nothing."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    user.language = language
    user._history_user, user._change_reason = user, "language chosen"
    user.save(update_fields=["language"])
    return True


@require_POST
def language_switch(request):
    """Django's `set_language`, and the choice kept as the signed-in user's preference."""
    response = set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get(LANGUAGE_QUERY_PARAMETER, ""))
    return response
