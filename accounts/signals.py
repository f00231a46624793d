"""What is kept across requests follows every change that could alter it.

Kept roles (accounts.permissions): a user's school or district membership saved or deleted
drops that user's entry; a school saved or deleted (made inactive, moved to another district)
drops everyone's.

Kept sign-in snapshots (accounts.auth_cache): a user saved or deleted, and any second-factor
device saved or deleted (whatever its kind), replace that user's auth version. Updates that
send no signal go through `User.objects` (its `update()` replaces the versions too) or call
`auth_forget` themselves (accounts.two_factor).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.models import Device

from .auth_cache import auth_forget
from .models import DistrictMembership, Membership, School, User
from .permissions import forget_kept_roles


@receiver([post_save, post_delete], sender=Membership)
@receiver([post_save, post_delete], sender=DistrictMembership)
def _membership_changed(sender, instance, **kwargs) -> None:
    forget_kept_roles(instance.user_id)


@receiver([post_save, post_delete], sender=School)
def _school_changed(sender, instance, **kwargs) -> None:
    forget_kept_roles(None)


@receiver([post_save, post_delete], sender=User)
def _user_changed(sender, instance, **kwargs) -> None:
    auth_forget(instance.pk)


@receiver([post_save, post_delete])
def _device_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Device):
        auth_forget(instance.user_id)
