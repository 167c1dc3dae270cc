"""Organisational digital-maturity assessment.

The package is in rooms by area; data flows one way, from the top of this list down:

* ``web/`` (one sub-package per blueprint), ``cli/`` (one module per command group) and
  ``jobs/`` (the report queue's worker) take requests and print or render answers;
* ``reports/`` (beside this package) turns the engine's figures into PDF reports;
* ``demo/`` makes and stores the synthetic benchmark pool;
* ``operations/`` holds the verbs that change stored state (flush only; the request or
  command commits once);
* ``io/`` reads answers collected elsewhere and writes exports;
* ``analysis/`` is the engine: plain records in, JSON-ready figures (keys and codes) out;
* ``stats/``, ``instrument/`` (questionnaire definitions, answers, scoring) and
  ``models/`` are the ground floor.

``app.py`` builds the Flask application (``create_app``); importing the pure engine
(``instrument``, ``stats``, ``analysis``) never imports Flask. ``make lint`` checks the
layer order.
"""
