"""API tokens of service accounts (the billing system): rotation replaces the key at once."""

from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def token_rotate(*, user) -> Token:
    """A new key for `user`; the old one stops working in the same transaction."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
