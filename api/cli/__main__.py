"""``python -m api.cli`` runs the same CLI as the ``spotter`` script (used by ``spotter up``)."""

from api.cli import app

app()
