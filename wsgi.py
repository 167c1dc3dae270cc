"""WSGI entry point: `gunicorn wsgi:app`.

A web worker also imports the statistics engine and the report code (numpy, scipy,
matplotlib, WeasyPrint: seconds) as it starts, so that no visitor's first dashboard,
landing page or report request waits for them. The CLI builds its app without this
module and keeps loading them only in the commands that use them.
"""

import importlib

from assessment.app import create_app

WORKER_MODULES = (
    "assessment.analysis.statistics",
    "assessment.analysis.filters",
    "reports.instrument",
    "reports.labels",
    "reports.organisation",
    "reports.render",
)

app = create_app()
for module in WORKER_MODULES:
    importlib.import_module(module)
