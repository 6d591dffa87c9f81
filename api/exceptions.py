"""Domain errors of the API; mapped to HTTP once, in ``api.main``."""

from __future__ import annotations


class SpotterError(Exception):
    status_code = 400


class NotFoundError(SpotterError):
    status_code = 404


class ServiceUnavailableError(SpotterError):
    """A backing service (Redis, broker) is down; the message says which and what to do."""

    status_code = 503
