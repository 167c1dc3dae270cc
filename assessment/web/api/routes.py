"""The API blueprint with every view module's endpoints registered on it."""

from assessment.web.api import figures, openapi, organisations, reports
from assessment.web.api.endpoints import bp

__all__ = ["bp", "figures", "openapi", "organisations", "reports"]
