"""``python -m mca``: the same as the ``mca`` command."""

from mca.app.entry import main

main()
