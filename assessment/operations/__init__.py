"""Business operations, one module per area: each verb changes state and flushes; the
caller commits.

The request (or the CLI command, or the job) is the one transaction boundary, so a view
or command calls operations and then commits once.
"""

from __future__ import annotations


class OperationError(Exception):
    """A request that cannot be carried out; the message says why."""


class AnswersInvalid(OperationError):
    """Answers that do not fit the questionnaire; `problems` maps item keys to reasons."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class TokenUnavailable(OperationError):
    """The token is unknown or already used."""
