"""`python manage.py api_key create --name NAME --dealer CODE [--dealer CODE] --scope SCOPE ...` (prints the key
once) and `python manage.py api_key revoke PREFIX`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.keys import api_key_create, api_key_revoke
from api.models import ApiKey, Scope
from cac.models import Dealer


class Command(BaseCommand):
    help = "Create or revoke an API key of an integration."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key; it is printed this once only.")
        create.add_argument("--name", required=True)
        create.add_argument("--dealer", action="append", required=True, help="A dealer's code; repeat for several.")
        create.add_argument("--scope", nargs="+", action="extend", required=True, choices=Scope.values)
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        if options["action"] == "revoke":
            key = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if key is None:
                raise CommandError(f"No key with the prefix {options['prefix']}.")
            api_key_revoke(key_id=key.pk)
            self.stdout.write(f"Revoked {key}.")
            return
        codes = list(dict.fromkeys(options["dealer"]))
        dealers = list(Dealer.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {dealer.code for dealer in dealers})
        if missing:
            raise CommandError(f"No dealer with the code {', '.join(missing)}.")
        try:
            key, plain = api_key_create(
                name=options["name"], dealers=dealers, scopes=options["scope"], acting_user=None
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(f"Created {key} for {', '.join(codes)} with {', '.join(key.scopes)}. The key, shown once:")
        self.stdout.write(plain)
