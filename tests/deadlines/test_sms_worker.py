"""SMS through a real Celery worker on Redis and PostgreSQL, to the fake Alibaba Cloud gateway over HTTP: a 5xx and
a timeout are retried with backoff, and a task delivered twice sends the message once.

The worker runs in another process: these tests commit (transactional_db) and give it the test database's name."""

import os
import time

import pytest

from cac.deadlines.sms import sms_send
from cac.models import SmsMessage, SmsTemplate
from cac.tasks import sms_deliver_task
from tests.deadlines.test_worker import _database_url, _logs, _until, _worker
from tests.sms_gateway import ALIBABA_KEY, start_fake_gateway
from tests.test_celery_worker import _env, _stop

pytestmark = [pytest.mark.services, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gateway():
    fake = start_fake_gateway()
    fake.slow_seconds = 2.5
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def worker_env(tmp_path, redis_url, postgres, gateway):
    import redis

    env = _env(tmp_path, broker=redis_url, prefix=f"cac-sms-test-{os.getpid()}-{time.monotonic_ns()}-")
    env.update(
        DATABASE_URL=_database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CAC_TEST_SMS_BACKEND="cac.deadlines.sms_gateways.AlibabaSmsBackend",
        CAC_SMS_ALIBABA_ENDPOINT=gateway.endpoint,
        CAC_SMS_ALIBABA_ACCESS_KEY_ID=ALIBABA_KEY[0],
        CAC_SMS_ALIBABA_ACCESS_KEY_SECRET=ALIBABA_KEY[1],
        CAC_SMS_PROTOCOL="http",
        CAC_SMS_TIMEOUT="1",
        CAC_SMS_RETRY_BACKOFF="1",
    )
    yield env
    client = redis.Redis.from_url(redis_url)
    client.delete(*env["CELERY_QUEUE"].split(","))


def test_the_worker_retries_and_sends_once(tmp_path, worker_env, gateway, dealer):
    # The group's template, recreated: an earlier transactional test may have flushed the migration's rows.
    SmsTemplate.objects.update_or_create(
        dealer=None,
        purpose="follow_up_unreachable",
        defaults={"alibaba_template_code": "SMS_0001"},
        create_defaults={
            "signature": "顾客服务中心",
            "body": "${dealer}感谢您的选择！请致电${phone}。",
            "parameters": ["dealer", "phone"],
            "alibaba_template_code": "SMS_0001",
        },
    )
    message = sms_send(
        dealer=dealer, phone="13800138000", purpose="follow_up_unreachable", parameters={"dealer": "店", "phone": "1"}
    )
    assert message.status == SmsMessage.Status.QUEUED, message.error
    gateway.script = ["5xx", "timeout"]
    queue = worker_env["CAC_QUEUE_PREFIX"] + "default"
    # The same message's task twice, as a broker may deliver it again.
    for _ in range(2):
        sms_deliver_task.apply_async(kwargs={"message_id": message.pk}, queue=queue)
    worker = _worker(tmp_path, worker_env, "sms")
    try:
        assert _until(lambda: SmsMessage.objects.get(pk=message.pk).status == "sent", timeout=60), _logs(tmp_path)
        time.sleep(3)  # any retry still scheduled finds the message sent and leaves it
    finally:
        _stop(worker)
    message.refresh_from_db()
    assert message.gateway == "alibaba" and "^" in message.gateway_reference
    assert message.attempts == 3
    assert len(gateway.sent("alibaba")) == 3  # 5xx, timeout, then the one accepted
