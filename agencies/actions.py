from django.contrib.auth.models import User
from django.db import transaction

from .models import Agency, Membership


@transaction.atomic
def set_membership(user: User, agency: Agency, role: str, *, legal_review: bool = False) -> Membership:
    """Make `user` a member of `agency` with `role` (a legal reviewer, 法制审核人员, if said), and of the
    agency's group."""
    membership, _created = Membership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role, "legal_review": legal_review}
    )
    user.groups.add(agency.group)
    return membership


@transaction.atomic
def end_membership(membership: Membership) -> None:
    membership.user.groups.remove(membership.agency.group)
    membership.delete()
