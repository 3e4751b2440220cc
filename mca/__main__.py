"""``python -m mca``: the same as the ``mca`` command."""

from mca.app.cli import app

app()
