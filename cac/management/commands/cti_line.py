"""`python manage.py cti_line create --dealer GZ01 --number 02088880000 [--name 服务热线]` and
`python manage.py cti_line rotate --number 02088880000`: print the endpoint URL the PBX posts to (shown this once)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cac.cti.lines import cti_endpoint_url, cti_line_create, cti_line_rotate
from cac.desk.phones import phone_digits
from cac.models import CtiLine, Dealer


class Command(BaseCommand):
    help = "Create a dealer's phone line, or give a line a new token; prints the URL its phone system posts to."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rotate"])
        parser.add_argument("--dealer", help="The dealer's code (create).")
        parser.add_argument("--number", required=True, help="The line's phone number.")
        parser.add_argument("--name", default="", help="A name for the line (create).")
        parser.add_argument("--block", action="append", default=[], help="A number to reject (create; repeatable).")

    def handle(self, *args, action: str, dealer: str | None, number: str, name: str, block: list[str], **options):
        if action == "create":
            try:
                owner = Dealer.objects.get(code=dealer or "")
            except Dealer.DoesNotExist:
                raise CommandError(f"No dealer with the code {dealer!r}.") from None
            try:
                line, token = cti_line_create(dealer=owner, number=number, name=name, blocked_numbers="\n".join(block))
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        else:
            try:
                line = CtiLine.objects.get(number=phone_digits(number))
            except CtiLine.DoesNotExist:
                raise CommandError(f"No line with the number {number!r}.") from None
            line, token = cti_line_rotate(line_id=line.pk)
        self.stdout.write(f"{line.number} ({line.dealer.code}): the phone system posts its call events to")
        self.stdout.write(cti_endpoint_url(token))
        self.stdout.write("The token is shown this once only; `cti_line rotate` makes a new one.")
