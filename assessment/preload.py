"""What a web worker loads as it starts (`wsgi.py`), and the settings it runs with.

A worker imports the statistics engine and the report code (numpy, scipy, matplotlib,
WeasyPrint: seconds) in a background thread as soon as it has loaded the app, so that a
visitor's first dashboard, landing page or report request usually finds them loaded,
without delaying the worker's start (it answers meanwhile; a request that needs a module
still being imported waits for that import). The CLI builds its app without this and
loads them only in the commands that use them. The benches that measure a worker's first
request (bench/bench_pool.py, bench/bench_dashboard.py) prepare their process the same
way.
"""

from __future__ import annotations

import gc
import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

WORKER_MODULES = (
    "assessment.analysis.statistics",
    "assessment.analysis.filters",
    "reports.instrument",
    "reports.labels",
    "reports.organisation",
    "reports.render",
)

# A worker serves its requests in threads (gunicorn.conf.py), one core each at most;
# numpy's BLAS starting threads of its own inside a request competes with the other
# requests for the same cores (a pool's bootstrap took 3x as long on a busy 2-core
# machine). Read by OpenBLAS, MKL and OpenMP when numpy loads, so set before that.
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                      "OMP_NUM_THREADS": "1"}


# The youngest generation is collected every GC_THRESHOLD new container objects instead
# of CPython's 700. A dashboard over 10,000 respondents makes some 100,000 of them while
# they are all alive, and every tenth collection of the middle generation may walk the
# whole heap: 0.05-0.2 s of such a request went to the collector, 0.03 s with this and
# `prepare_worker`'s freeze. The garbage left between collections is a few MB at most.
GC_THRESHOLD = 50_000


def worker_environment() -> None:
    """Set WORKER_ENVIRONMENT where the deployment has not set those variables, and the
    collector's GC_THRESHOLD."""
    for name, value in WORKER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def prepare_worker(app: Flask) -> None:
    """Everything a worker loads before its first request (`import_worker_modules`,
    `warm_app`), then kept out of every later collection (`gc.freeze` moves what exists
    now to a generation the collector never walks: the engine's modules are some 230,000
    objects every full collection would otherwise walk again)."""
    import_worker_modules()
    warm_app(app)
    gc.freeze()


def warm_app(app: Flask) -> None:
    """What a worker's first page would otherwise do first: compile every template of
    the app, and let matplotlib look up the report's fonts (reports.charts.warm_up).
    Both are caches shared by the worker's threads."""
    for name in app.jinja_env.list_templates(extensions=("html",)):
        app.jinja_env.get_template(name)
    importlib.import_module("reports.charts").warm_up()


def import_worker_modules() -> None:
    """Import the modules the figure pages need (each at most once, as any import)."""
    for module in WORKER_MODULES:
        importlib.import_module(module)
