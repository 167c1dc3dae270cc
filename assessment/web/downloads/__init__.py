"""Downloads of one campaign: the PDF report through the job queue, and the exports."""

from assessment.web.downloads.views import bp

__all__ = ["bp"]
