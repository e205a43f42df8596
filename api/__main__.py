"""``python -m api``: the ``scheduler-api`` command."""

from api.cli import main

main()
