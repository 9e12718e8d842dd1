"""A local fake of the two SMS gateways over real HTTP, for the official SDKs to talk to.

It speaks as much of each API as the CAC uses: Alibaba Cloud's SendSms (RPC style, the parameters in the query
string, signed ACS3-HMAC-SHA256 in `Authorization`) and Tencent Cloud's SendSms (a JSON body, signed
TC3-HMAC-SHA256). It checks each signature with the secret it was given, as the real gateways do, and answers as
they answer. `script` lists what the next requests get: "ok" (the default), "5xx", "timeout" (answers after
`slow_seconds`), "refuse" (a business error of the gateway)."""

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

ALIBABA_KEY = ("test-access-key-id", "test-access-key-secret")
TENCENT_KEY = ("test-secret-id", "test-secret-key")


@dataclass
class Sent:
    vendor: str
    params: dict
    headers: dict


@dataclass
class FakeGateway:
    server: ThreadingHTTPServer | None = None
    requests: list[Sent] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    slow_seconds: float = 2.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def next_outcome(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def sent(self, vendor: str) -> list[Sent]:
        return [request for request in self.requests if request.vendor == vendor]


def _alibaba_signature_ok(method: str, path: str, query: dict, headers, body: bytes) -> bool:
    authorization = headers.get("Authorization", "")
    algorithm, _, rest = authorization.partition(" ")
    parts = dict(part.split("=", 1) for part in rest.split(",") if "=" in part)
    if algorithm != "ACS3-HMAC-SHA256" or parts.get("Credential") != ALIBABA_KEY[0]:
        return False
    if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
        return False
    signed = parts.get("SignedHeaders", "").split(";")
    canonical_query = "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))
    canonical_headers = "".join(f"{name}:{(headers.get(name) or '').strip()}\n" for name in signed)
    canonical = "\n".join(
        [method, path, canonical_query, canonical_headers, ";".join(signed), headers.get("x-acs-content-sha256")]
    )
    to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(ALIBABA_KEY[1].encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("Signature", ""))


def _tencent_signature_ok(headers, body: bytes) -> bool:
    authorization = headers.get("Authorization", "")
    algorithm, _, rest = authorization.partition(" ")
    parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
    credential = parts.get("Credential", "").split("/")
    if algorithm != "TC3-HMAC-SHA256" or len(credential) != 4 or credential[0] != TENCENT_KEY[0]:
        return False
    _secret_id, date, service, _scope = credential
    timestamp = headers.get("X-TC-Timestamp", "0")
    if datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d") != date:
        return False
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers.get('Content-Type')}\nhost:{headers.get('Host')}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
    to_sign += hashlib.sha256(canonical.encode()).hexdigest()

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{TENCENT_KEY[1]}".encode(), date), service), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("Signature", ""))


def _handler(gateway: FakeGateway):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("x-acs-action"):
                self._alibaba(body)
            elif self.headers.get("X-TC-Action"):
                self._tencent(body)
            else:
                self._answer(404, {"error": "unknown API"})

        def _outcome(self) -> str:
            outcome = gateway.next_outcome()
            if outcome == "timeout":
                time.sleep(gateway.slow_seconds)
            return outcome

        def _alibaba(self, body: bytes) -> None:
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            request_id = str(uuid.uuid4())
            if not _alibaba_signature_ok("POST", url.path or "/", query, self.headers, body):
                self._answer(400, {"RequestId": request_id, "Code": "SignatureDoesNotMatch", "Message": "bad sign"})
                return
            gateway.requests.append(Sent("alibaba", query, dict(self.headers)))
            outcome = self._outcome()
            if outcome == "5xx":
                self._answer(503, {"RequestId": request_id, "Code": "ServiceUnavailable", "Message": "try later"})
            elif outcome == "refuse":
                self._answer(
                    200, {"RequestId": request_id, "Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
                )
            else:
                biz_id = f"{len(gateway.requests):06d}^{uuid.uuid4().hex[:10]}"
                self._answer(200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": biz_id})

        def _tencent(self, body: bytes) -> None:
            request_id = str(uuid.uuid4())
            if not _tencent_signature_ok(self.headers, body):
                error = {"Code": "AuthFailure.SignatureFailure", "Message": "bad sign"}
                self._answer(200, {"Response": {"Error": error, "RequestId": request_id}})
                return
            params = json.loads(body)
            gateway.requests.append(Sent("tencent", params, dict(self.headers)))
            outcome = self._outcome()
            if outcome == "5xx":
                self._answer(502, {"message": "bad gateway"})
                return
            phone = params["PhoneNumberSet"][0]
            if outcome == "refuse":
                status = {"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "手机号格式错误"}
            else:
                status = {"Code": "Ok", "Message": "send success"}
            status.update(
                SerialNo=f"2028:{uuid.uuid4().int % 10**18}",
                PhoneNumber=phone,
                Fee=1,
                SessionContext=params.get("SessionContext", ""),
                IsoCode="CN",
            )
            self._answer(200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}})

    return Handler


def start_fake_gateway() -> FakeGateway:
    gateway = FakeGateway()
    gateway.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    gateway.server.daemon_threads = True
    threading.Thread(target=gateway.server.serve_forever, daemon=True).start()
    return gateway
