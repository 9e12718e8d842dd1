"""The real SMS gateways, through their official SDKs: Alibaba Cloud SMS (dysmsapi 2017-05-25) and Tencent Cloud SMS
(sms 2021-01-11). Each is configured from settings (credentials, endpoint, protocol, timeout; see cac/settings.py);
the SDKs' own retries are off, so that the worker's task retries with its backoff and records every attempt.

Errors are sorted into the two kinds of cac.deadlines.sms: SmsTemporaryError (the gateway's 5xx, a timeout, a refused
connection, throttling: try again later) and SmsError (the gateway refused the message: a bad number, an unregistered
template, a signature not approved)."""

import json
import logging

from django.conf import settings

from cac.deadlines.sms import SmsBackend, SmsError, SmsRequest, SmsTemporaryError

logger = logging.getLogger(__name__)


def _template_code(request: SmsRequest, vendor: str) -> str:
    if not request.template_code:
        raise SmsError(f"The SMS template has no {vendor} template code")
    return request.template_code


class AlibabaSmsBackend(SmsBackend):
    """Alibaba Cloud SMS (阿里云短信服务), SendSms: SignName, TemplateCode and TemplateParam (JSON by name); the
    message id is the BizId the delivery receipt names."""

    vendor = "alibaba"

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        timeout_ms = int(settings.CAC_SMS_TIMEOUT * 1000)
        self.client = Client(
            Config(
                access_key_id=settings.CAC_SMS_ALIBABA_ACCESS_KEY_ID,
                access_key_secret=settings.CAC_SMS_ALIBABA_ACCESS_KEY_SECRET,
                endpoint=settings.CAC_SMS_ALIBABA_ENDPOINT,
                protocol=settings.CAC_SMS_PROTOCOL,
                read_timeout=timeout_ms,
                connect_timeout=timeout_ms,
            )
        )

    def send(self, request: SmsRequest) -> str:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
        from darabonba.runtime import RuntimeOptions

        timeout_ms = int(settings.CAC_SMS_TIMEOUT * 1000)
        sdk_request = SendSmsRequest(
            phone_numbers=request.phone,
            sign_name=request.signature,
            template_code=_template_code(request, "Alibaba Cloud"),
            template_param=json.dumps(dict(request.parameters), ensure_ascii=False),
            out_id=str(request.message_id),
        )
        runtime = RuntimeOptions(autoretry=False, max_attempts=0, read_timeout=timeout_ms, connect_timeout=timeout_ms)
        try:
            response = self.client.send_sms_with_options(sdk_request, runtime)
        except (ServerException, ThrottlingException) as exc:
            raise SmsTemporaryError(f"Alibaba Cloud {exc.code}: {exc.message}") from exc
        except ClientException as exc:
            raise SmsError(f"Alibaba Cloud {exc.code}: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - the SDK wraps timeouts and refused connections in its own types
            raise SmsTemporaryError(f"Alibaba Cloud unreachable: {exc}") from exc
        body = response.body
        if body.code != "OK":
            # isp.* are the gateway's own failures (isp.SYSTEM_ERROR …); isv.* refuse the request itself.
            error = SmsTemporaryError if str(body.code).startswith("isp.") else SmsError
            raise error(f"Alibaba Cloud {body.code}: {body.message}")
        if not body.biz_id:
            raise SmsTemporaryError("Alibaba Cloud answered without a BizId")
        return body.biz_id


class TencentSmsBackend(SmsBackend):
    """Tencent Cloud SMS (腾讯云短信), SendSms: SmsSdkAppId, SignName, TemplateId and TemplateParamSet (the values in
    the template's order); the message id is the SerialNo the delivery receipt names (`sid`)."""

    vendor = "tencent"
    TEMPORARY_CODES = ("InternalError", "RequestLimitExceeded", "ServerNetworkError", "ClientNetworkError")

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        http_profile = HttpProfile(
            protocol=settings.CAC_SMS_PROTOCOL,
            endpoint=settings.CAC_SMS_TENCENT_ENDPOINT,
            reqTimeout=max(1, round(settings.CAC_SMS_TIMEOUT)),
        )
        profile = ClientProfile(httpProfile=http_profile)
        profile.disable_region_breaker = True  # the task's retries decide, not the SDK's circuit breaker
        self.client = SmsClient(
            credential.Credential(settings.CAC_SMS_TENCENT_SECRET_ID, settings.CAC_SMS_TENCENT_SECRET_KEY),
            settings.CAC_SMS_TENCENT_REGION,
            profile,
        )

    def send(self, request: SmsRequest) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        sdk_request = models.SendSmsRequest()
        sdk_request.SmsSdkAppId = settings.CAC_SMS_TENCENT_SDK_APP_ID
        sdk_request.SignName = request.signature
        sdk_request.TemplateId = _template_code(request, "Tencent Cloud")
        sdk_request.TemplateParamSet = [value for _name, value in request.parameters]
        sdk_request.PhoneNumberSet = [_e164(request.phone)]
        sdk_request.SessionContext = str(request.message_id)
        try:
            response = self.client.SendSms(sdk_request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            error = SmsTemporaryError if code.startswith(self.TEMPORARY_CODES) else SmsError
            raise error(f"Tencent Cloud {code}: {exc.get_message()}") from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsTemporaryError("Tencent Cloud answered without a send status")
        status = statuses[0]
        if status.Code != "Ok":
            error = SmsTemporaryError if str(status.Code).startswith(self.TEMPORARY_CODES) else SmsError
            raise error(f"Tencent Cloud {status.Code}: {status.Message}")
        return status.SerialNo


def _e164(phone: str) -> str:
    """Tencent Cloud wants +86 before a mainland number; the CAC stores mainland mobiles as 11 digits."""
    digits = phone.lstrip("+")
    return f"+86{digits}" if len(digits) == 11 and digits.startswith("1") else f"+{digits}"
