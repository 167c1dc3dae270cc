"""WSGI entry point: `gunicorn wsgi:app`.

A web worker runs with numpy's maths single-threaded and a less frequent garbage
collector, and imports the statistics engine and the report code, compiles its
templates and looks up the charts' fonts in a background thread as soon as it has loaded
the app (see `assessment.preload`).
"""

import threading

from assessment.preload import prepare_worker, worker_environment

worker_environment()  # before numpy is imported

from assessment.app import create_app  # noqa: E402

app = create_app()


threading.Thread(target=prepare_worker, args=(app,), name="prepare-worker",
                 daemon=True).start()
