from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Notification


@login_required
def notification_list(request):
    rows = Notification.objects.filter(recipient=request.user).select_related("case", "referral").order_by("-id")
    page = Paginator(rows, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"rows": page})


@login_required
@require_POST
def read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices:index")


@login_required
def open_notification(request, pk: int):
    """Open a notification: it is marked read, and the page where it is dealt with opens (its
    referral, its case, the returns), or the list when it links nowhere. Someone else's: 404."""
    n = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if n.read_at is None:
        Notification.objects.filter(pk=n.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(n.link or "notices:list:index")
