"""Where each user starts: the page of the work their role does (issue 18).

Supervisors start on their region's dashboard, the police and procurators on the referrals they
receive or supervise, regulators and the cyberspace office on their tasks, the site's
administrators (without an agency) in the admin. Used by `/`, after the login and by the 403 page's
way back.
"""

from django.urls import reverse

from agencies import jurisdiction
from agencies.models import Agency
from core.access import AnyUser


def start_page(user: AnyUser) -> str:
    if not user.is_authenticated:
        return reverse("login")
    memberships = jurisdiction.memberships_of(user)
    if not memberships:
        return reverse("admin:index") if user.is_staff else reverse("profile")
    if jurisdiction.supervised_paths(user):
        return reverse("oversight:dashboard:index")
    if all(m.agency.kind in (Agency.Kind.POLICE, Agency.Kind.PROCURATORATE) for m in memberships):
        return reverse("referrals:referral:index")
    return reverse("tasks:mine:index")
