"""A task that fails for good is recorded for administrators, not only logged."""

from celery import shared_task

from cac.models import FailedTask


@shared_task(name="tests.always_fails")
def always_fails(*, reason: str) -> None:
    raise RuntimeError(reason)


def test_a_failed_task_is_recorded(db):
    result = always_fails.apply(kwargs={"reason": "SMTP server refused"})
    assert result.failed()
    failure = FailedTask.objects.get()
    assert failure.task_name == "tests.always_fails"
    assert "SMTP server refused" in failure.exception
    assert "RuntimeError" in failure.traceback


def test_administrators_see_failed_tasks_in_the_admin(admin_client, db):
    always_fails.apply(kwargs={"reason": "gateway down"})
    response = admin_client.get("/admin/cac/failedtask/")
    assert response.status_code == 200
    assert "tests.always_fails" in response.content.decode()
