"""The user admin, where only superusers hand out privileges.

Django's UserAdmin offers superuser status, staff status, groups (our roles) and permissions
to whoever may change users, on their own account too: the Administrators role, which manages
users, could make itself superuser with one POST. Here those fields are a superuser's only,
and an account that holds more than its editor is read-only to them.
"""

from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.search import unaccented


def user_may_manage_account(*, user: AbstractBaseUser, account: AbstractBaseUser) -> bool:
    """Whether `user` may change, delete or set the password of `account`.

    Superusers manage everyone; others only accounts that are not superusers and hold no
    permission they lack themselves, or taking over the account would be a way up.
    """
    if user.is_superuser:
        return True
    if account.is_superuser:
        return False
    # Read from the tables rather than account.get_all_permissions(), which is empty for an
    # inactive account: activating it is one of the changes asked about.
    held = Permission.objects.filter(Q(user=account) | Q(group__user=account)).values_list(
        "content_type__app_label", "codename"
    )
    return {f"{app_label}.{codename}" for app_label, codename in held} <= (
        user.get_all_permissions()
    )


class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin; for non-superusers without the privilege fields, which their form
    then does not have (posted anyway, they are ignored), and without the accounts above them,
    which they see read-only: no change, password or deletion (403)."""

    ordinary_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    # "Jose" finds "José" (core/search.py).
    search_fields = unaccented("username", "first_name", "last_name", "email")

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.ordinary_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # The login dates are the audit's, not something to edit.
        return (*super().get_readonly_fields(request, obj), "last_login", "date_joined")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or user_may_manage_account(user=request.user, account=obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or user_may_manage_account(user=request.user, account=obj)
        )
