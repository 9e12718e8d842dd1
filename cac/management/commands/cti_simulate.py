"""`python manage.py cti_simulate --line 02088880000 --from 13800138000 --agent agent [--missed]`: a PBX for
developers and tests. It posts a call's events (newCall, then answer and hangup, or a hangup nobody answered) over
HTTP to a running server, as a PBX's generic CTI script does.

Where to: `--url`, by default CAC_SITE_URL, the address the line's endpoint is printed with (`cti_line create`) and
so the one its phone system posts to: http://127.0.0.1:8000 under `make run`. Another server, or `make run` on
another PORT: `--url http://127.0.0.1:8001`.

The line's token is stored hashed: give it with --token (or CTI_TOKEN), or let the simulator give the line a new one
with --rotate (the line's phone system then needs the new address, which is printed); with DEBUG on (`make run`)
and no token the simulator does so by itself."""

import os
import time
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from cac.cti.lines import cti_endpoint_url, cti_line_rotate
from cac.desk.phones import phone_digits
from cac.models import CtiLine, User


class Command(BaseCommand):
    help = "Post a realistic call (ringing, answered or missed, hung up) to a running server's CTI endpoint."

    def add_arguments(self, parser):
        parser.add_argument("--line", required=True, help="The line's number.")
        parser.add_argument("--from", dest="caller", required=True, help="The customer's number.")
        parser.add_argument("--agent", default="", help="The username the call rings for (none: the line's agents).")
        parser.add_argument("--missed", action="store_true", help="Nobody answers.")
        parser.add_argument("--outbound", action="store_true", help="The agent dials out to --from.")
        parser.add_argument(
            "--url",
            default="",
            help="The running server (default: CAC_SITE_URL, where the line's phone system posts; "
            "http://127.0.0.1:8000 under make run).",
        )
        parser.add_argument("--token", default=os.environ.get("CTI_TOKEN", ""), help="The line's token.")
        parser.add_argument("--rotate", action="store_true", help="Give the line a new token and use it.")
        parser.add_argument("--ring", type=float, default=3.0, help="Seconds it rings.")
        parser.add_argument("--talk", type=float, default=5.0, help="Seconds of conversation.")
        parser.add_argument("--call-id", default="", help="The callId (a new one by default).")

    def handle(self, *args, **options):
        try:
            line = CtiLine.objects.get(number=phone_digits(options["line"]))
        except CtiLine.DoesNotExist:
            raise CommandError(f"No line with the number {options['line']!r}: `cti_line create` makes one.") from None
        token = options["token"]
        if options["rotate"] or not token:
            if not options["rotate"] and not settings.DEBUG:
                raise CommandError("Give the line's token with --token (or CTI_TOKEN), or --rotate for a new one.")
            line, token = cti_line_rotate(line_id=line.pk)
            self.stdout.write(f"The line's new address: {cti_endpoint_url(token)}")
        agent = User.objects.filter(username=options["agent"]).first() if options["agent"] else None
        if options["agent"] and agent is None:
            raise CommandError(f"No user {options['agent']!r}.")
        server = (options["url"] or settings.CAC_SITE_URL).rstrip("/")
        if urlsplit(server).scheme not in ("http", "https") or not urlsplit(server).netloc:
            raise CommandError("--url is an http or https address.")
        url = server + reverse("api:cti_event", kwargs={"token": token})
        self.stdout.write(f"Calling {server} as the phone system of the line {line.number}.")
        call_id = options["call_id"] or uuid.uuid4().hex
        outbound = options["outbound"]
        base = {
            "callId": call_id,
            "direction": "out" if outbound else "in",
            "from": line.number if outbound else options["caller"],
            "to": options["caller"] if outbound else line.number,
        }
        named = agent.extension or agent.username if agent else ""
        users = {"user[]": [named]} if named else {}
        self._post(url, {"event": "newCall", **base, **users})
        time.sleep(options["ring"])
        if options["missed"]:
            self._post(url, {"event": "hangup", **base, "cause": "noAnswer", **users})
            return
        self._post(url, {"event": "answer", **base, "answeringNumber": named, **users})
        time.sleep(options["talk"])
        self._post(url, {"event": "hangup", **base, "cause": "normalClearing", "answeringNumber": named, **users})

    def _post(self, url: str, fields: dict) -> None:
        try:
            response = requests.post(url, data=fields, timeout=10)
        except requests.RequestException as exc:
            raise CommandError(f"The server did not answer: {exc}") from None
        self.stdout.write(f"{fields['event']}: {response.status_code} {response.text.strip()[:200]}")
        if response.status_code != 200:
            raise CommandError(f"{fields['event']} was refused.")
