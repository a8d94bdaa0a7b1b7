"""挂牌督办 as a viewflow process: the owning agency's head reports progress, the supervisor
reviews each report and either asks for more or closes the listing."""

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS

from workflows.flows import NO_FORM, complete_open_tasks
from workflows.models import TaskRoute

from .models import Listing


class ListingProcess(Process):
    class Meta:
        proxy = True
        verbose_name = _("supervision listing process")


def _closed(activation) -> bool:
    return activation.process.artifact.status == Listing.Status.CLOSED


class ListingFlow(flow.Flow):
    process_class = ListingProcess
    process_title = _("Supervision listing")

    start = flow.StartHandle(this.start_process).Next(this.progress)
    progress = (
        flow.View(NO_FORM)
        .Annotation(title=_("Report progress on the listed case"))
        .onCreate(this.route)
        .Next(this.review)
    )
    review = (
        flow.View(NO_FORM)
        .Annotation(title=_("Review the progress of the listed case"))
        .onCreate(this.route)
        .Next(this.after_review)
    )
    after_review = flow.Switch().Case(this.end, _closed).Case(this.progress, lambda a: not _closed(a))
    end = flow.End()

    def start_process(self, activation, listing):
        activation.process.artifact = listing
        return activation.process

    def route(self, activation):
        listing = activation.process.artifact
        progress = activation.task.flow_task.name == "progress"
        TaskRoute.objects.create(
            task=activation.task,
            case_id=listing.case_id,
            listing=listing,
            agency=listing.case.agency if progress else listing.agency,
            role=TaskRoute.Role.HEAD if progress else TaskRoute.Role.SUPERVISOR,
            due_at=listing.deadlines.filter(met_at__isnull=True).values_list("due_at", flat=True).first(),
        )


def start(listing) -> None:
    ListingFlow.start.run(listing=listing)


def advance(listing: Listing, actor: User, *, cancel: bool = False) -> None:
    """Complete the listing's open task by `actor` (or cancel what is open when it closes early)."""
    routes = TaskRoute.objects.filter(listing=listing)
    complete_open_tasks(routes, actor, cancel=cancel)
    if cancel:  # closed before its report: the listing's process ends as canceled, not done
        ListingProcess.objects.filter(pk__in=routes.values("task__process_id")).update(status=PROCESS.CANCELED)
