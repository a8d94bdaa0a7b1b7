from django.contrib import admin
from rest_framework.authtoken import admin as authtoken_admin
from rest_framework.authtoken.models import TokenProxy

# API tokens: an administrator revokes one by deleting it. The list shows whose token it is and
# since when, never the key itself, which is as good as the user's password.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(authtoken_admin.TokenAdmin):
    list_display = ["user", "created"]
