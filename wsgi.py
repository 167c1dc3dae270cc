"""WSGI entry point: `gunicorn wsgi:app`.

A web worker runs with numpy's maths single-threaded and imports the statistics engine
and the report code in a background thread as soon as it has loaded the app (see
`assessment.preload`).
"""

import threading

from assessment.preload import import_worker_modules, worker_environment

worker_environment()  # before numpy is imported

from assessment.app import create_app  # noqa: E402

app = create_app()
threading.Thread(target=import_worker_modules, name="import-worker-modules",
                 daemon=True).start()
