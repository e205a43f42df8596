"""A worker process of :class:`~scheduler.solver.engines.LocalProcesses`: ``python -m
scheduler.solver.worker``.

It reads pickles from its standard input: first the solve's
:class:`~scheduler.solver.tasks.Context`, then ``(function, item)`` pairs, and answers each
with the pickle of ``(True, function(context, item, None))``, or ``(False, error)`` when the
function raised. It ends when its input ends. Anything printed goes to standard error, so
that standard output carries answers only.
"""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    """Answer tasks until the input ends."""
    tasks, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    context = pickle.load(tasks)
    while True:
        try:
            function, item = pickle.load(tasks)
        except EOFError:
            return
        try:
            answer: tuple[bool, object] = (True, function(context, item, None))
        except Exception as error:  # carried back to the solve, which raises it
            answer = (False, error)
        pickle.dump(answer, answers)
        answers.flush()


if __name__ == "__main__":
    main()
