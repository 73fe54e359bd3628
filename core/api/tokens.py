from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.tokens import token_rotate


class TokenRotateView(APIView):
    """POST: the caller gets a new token; the one it called with stops working."""

    @extend_schema(request=None, responses=inline_serializer("RotatedToken", {"token": serializers.CharField()}))
    def post(self, request):
        return Response({"token": token_rotate(user=request.user).key})
