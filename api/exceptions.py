"""Domain errors of the API; mapped to HTTP once, in ``api.main``."""

from __future__ import annotations


class SpotterError(Exception):
    status_code = 400


class NotFoundError(SpotterError):
    status_code = 404


class ServiceUnavailableError(SpotterError):
    """A backing service (Redis, broker) is down; the message says which and what to do."""

    status_code = 503


class AuthenticationRequired(SpotterError):
    """No or bad credentials (401)."""

    status_code = 401


class Forbidden(SpotterError):
    """Authenticated, but this role or person may not do this (403)."""

    status_code = 403


class TooManyRequests(SpotterError):
    status_code = 429


class ConflictError(SpotterError):
    """The request clashes with what exists (an email already in use): 409."""

    status_code = 409


class InvalidInput(SpotterError):
    """Well-formed but wrong input (a member id that does not exist): 422 with advice.

    Shape errors are FastAPI's own 422; this one covers rules that need the database.
    """

    status_code = 422


class LoginRequired(Exception):
    """A page needs a logged-in user: the handler redirects to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url
