"""WSGI entry point: `gunicorn wsgi:app`.

A web worker also imports the statistics engine and the report code (numpy, scipy,
matplotlib, WeasyPrint: seconds) in a background thread as soon as it has loaded the app,
so that a visitor's first dashboard, landing page or report request usually finds them
loaded, without delaying the worker's start (it answers meanwhile; a request that needs a
module still being imported waits for that import). The CLI builds its app without this
module and keeps loading them only in the commands that use them.
"""

import importlib
import threading

from assessment.app import create_app

WORKER_MODULES = (
    "assessment.analysis.statistics",
    "assessment.analysis.filters",
    "reports.instrument",
    "reports.labels",
    "reports.organisation",
    "reports.render",
)


def import_worker_modules() -> None:
    """Import the modules the figure pages need (each at most once, as any import)."""
    for module in WORKER_MODULES:
        importlib.import_module(module)


app = create_app()
threading.Thread(target=import_worker_modules, name="import-worker-modules",
                 daemon=True).start()
