"""Tasks go to their queues: the sweep never waits behind a PDF or an import."""

import pytest

from cac.celery import app


@pytest.fixture(autouse=True)
def tasks_loaded():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks module


ROUTES = {
    "cac.sweep_deadlines": "deadlines",
    "cac.deadline_digest": "deadlines",
    "cac.tasks.heartbeat": "deadlines",
    "reports.monthly_report_generate": "reports",
    "reports.monthly_reports_schedule": "reports",
    "cac.dms_import": "imports",
    "cac.notification_email": "default",
    "complaints.notify_director": "default",
    "callbacks.care_callbacks_daily": "default",
}


@pytest.mark.parametrize(("task", "queue"), ROUTES.items())
def test_each_task_goes_to_its_queue(task, queue):
    assert task in app.tasks
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_long_work_gives_its_message_back_when_the_worker_dies_and_workers_are_recycled(settings):
    for name in ("reports.monthly_report_generate", "cac.dms_import", "cac.sweep_deadlines"):
        task = app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost, name
    assert app.tasks["reports.monthly_report_generate"].time_limit == settings.CAC_REPORT_TIME_LIMIT
    assert app.tasks["cac.dms_import"].time_limit == settings.CAC_IMPORT_TIME_LIMIT
    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD > 0
