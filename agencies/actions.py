from django.contrib.auth.models import User
from django.db import transaction

from .models import Agency, Membership


@transaction.atomic
def set_membership(user: User, agency: Agency, role: str) -> Membership:
    """Make `user` a member of `agency` with `role`, and of the agency's group."""
    membership, _created = Membership.objects.update_or_create(user=user, agency=agency, defaults={"role": role})
    user.groups.add(agency.group)
    return membership


@transaction.atomic
def end_membership(membership: Membership) -> None:
    membership.user.groups.remove(membership.agency.group)
    membership.delete()
