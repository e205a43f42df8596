"""``python -m api``: the ``scheduler-api`` command."""

from api.cli import main

if __name__ == "__main__":
    main()
