"""The consultant's portfolio: client organisations in one table, a new client with its
HR admin, each client's settings (benchmark consent), and organisations compared side by
side against the benchmark (with the comparison PDF through the report queue)."""

from assessment.web.portfolio import compare  # noqa: F401  (registers its routes on bp)
from assessment.web.portfolio.views import bp

__all__ = ["bp"]
