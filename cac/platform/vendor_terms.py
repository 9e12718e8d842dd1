"""Texts of the libraries' pages that ship no Simplified Chinese (the admin's table headers, django-axes' sign-in
records, django-otp's devices): named here so that `make messages` extracts them into our catalogue, which Django
reads before the libraries' own, and the glossary translates them. Nothing imports this module."""

from django.utils.translation import gettext_noop

VENDOR_TERMS = [
    # django.contrib.admin, missing from its zh_Hans catalogue
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Please correct the error below."),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("entry"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("app label"),
    # django-axes
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Time"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Logout Time"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("User Agent"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access logs"),
    # django-otp
    gettext_noop("TOTP device"),
    gettext_noop("TOTP devices"),
    gettext_noop("confirmed"),
    gettext_noop("created at"),
    gettext_noop("digits"),
    gettext_noop("drift"),
    gettext_noop("last t"),
    gettext_noop("last used at"),
    gettext_noop("name"),
    gettext_noop("step"),
    gettext_noop("t0"),
    gettext_noop("throttling failure count"),
    gettext_noop("throttling failure timestamp"),
    gettext_noop("tolerance"),
    gettext_noop("user"),
]
