"""The jobs queue's tasks: run one job; hand stale ones to a worker again (beat, once a minute)."""

from celery import shared_task

from . import runner


@shared_task(name="jobs.tasks.run_job")
def run_job(job_id: int) -> bool:
    return runner.run(job_id)


@shared_task(name="jobs.tasks.resume_stale_jobs")
def resume_stale_jobs() -> int:
    """Each stale job sent to a worker again; the claim lets only one run take it."""
    ids = runner.stale_jobs()
    for job_id in ids:
        run_job.delay(job_id)
    return len(ids)
