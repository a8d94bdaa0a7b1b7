"""Credentials end together (issue 17 §5, §6): a password change or a deactivation revokes every
API token of the user and closes their sockets; a revoked or expired token closes its own sockets;
a logout closes the sockets of that browser session."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from knox.models import AuthToken

from . import sockets
from .models import TokenInfo

User = get_user_model()


@receiver(post_save, sender=AuthToken, dispatch_uid="accounts.token_info")
def _token_info(sender, instance, created, raw=False, **kwargs):
    """Every token gets its TokenInfo (marked without the second factor unless tokens.issue says so)."""
    if created and not raw:
        TokenInfo.objects.get_or_create(token=instance)


@receiver(post_delete, sender=TokenInfo, dispatch_uid="accounts.token_revoked")
def _token_revoked(sender, instance, **kwargs):
    """A token deleted (by its user, an administrator, its expiry, a password change): its sockets close."""
    sockets.close(sockets.token_group(instance.pk))


@receiver(pre_save, sender=User, dispatch_uid="accounts.user_deactivated")
def _remember_deactivation(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._xianjie_deactivated = False
    if raw or instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    instance._xianjie_deactivated = User.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender=User, dispatch_uid="accounts.credentials_changed")
def _credentials_changed(sender, instance, created, raw=False, **kwargs):
    """set_password() then save() (the password change and reset views, the admin, the shell):
    Django keeps the new raw password in _password until save() has run. A re-hash of the same
    password at login (a hasher upgrade) does not go through it and revokes nothing."""
    if created or raw:
        return
    password_changed = getattr(instance, "_password", None) is not None
    if password_changed or getattr(instance, "_xianjie_deactivated", False):
        AuthToken.objects.filter(user=instance).delete()
        sockets.close(sockets.user_group(instance.pk))
    instance._xianjie_deactivated = False


@receiver(post_delete, sender=User, dispatch_uid="accounts.user_deleted")
def _user_deleted(sender, instance, **kwargs):
    sockets.close(sockets.user_group(instance.pk))


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        sockets.close(sockets.session_group(session.session_key))
