from django.contrib.auth.backends import ModelBackend

from . import access


class RoleBackend(ModelBackend):
    """Authenticates like Django's ModelBackend and grants the permissions of the user's roles."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            roles = access.principal_of(user_obj).roles
            user_obj._role_perm_cache = access.permissions_for_roles(roles) | super().get_all_permissions(
                user_obj
            )
        return user_obj._role_perm_cache
