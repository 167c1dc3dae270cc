"""The analysis engine: plain data in, plain (JSON-ready) results out.

Everything here except `loading` is pure Python over plain records (no Flask, no
database), so the web app, the CLI, the API and the PDF reports share one set of numbers.
"""

# How many campaigns one comparison covers (the engine's rule; commands quote it).
MIN_COMPARED, MAX_COMPARED = 2, 20
