from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import preferences
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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_settings(request):
    """Which kinds of notification also come by e-mail: one checkbox per e-mailed kind; a kind
    left unticked is turned off (the same Preference rows as the API's)."""
    if request.method == "POST":
        ticked = set(request.POST.getlist("email"))
        preferences.save(request.user, [(kind, kind in ticked) for kind in preferences.email_kinds()])
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("notices:settings")
    chosen = preferences.current(request.user)
    rows = [{"kind": kind, "label": preferences.label(kind), "email": on} for kind, on in chosen.items()]
    return render(request, "notifications/settings.html", {"rows": rows})
