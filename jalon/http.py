from django.http import HttpRequest

from jalon.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """What a view behind @login_required receives: its `user` is a signed-in User."""

    user: User
