"""Kept roles (accounts.permissions) follow every change that could alter them: a user's
school or district membership saved or deleted drops that user's entry; a school saved or
deleted (made inactive, moved to another district) drops everyone's."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import DistrictMembership, Membership, School
from .permissions import forget_kept_roles


@receiver([post_save, post_delete], sender=Membership)
@receiver([post_save, post_delete], sender=DistrictMembership)
def _membership_changed(sender, instance, **kwargs) -> None:
    forget_kept_roles(instance.user_id)


@receiver([post_save, post_delete], sender=School)
def _school_changed(sender, instance, **kwargs) -> None:
    forget_kept_roles(None)
