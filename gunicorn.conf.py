"""gunicorn settings for production; `gunicorn wsgi:app` reads this file from the
working directory (README, Production).

Threaded workers: a client that announces a body and sends it slowly holds one thread,
not a whole worker, and is cut off after BODY_READ_TIMEOUT seconds (the app sets the
socket timeout, assessment/web/guard.py); request headers that do not arrive are left
to gunicorn's own poller. Behind a buffering reverse proxy (nginx), slow clients never
reach gunicorn at all.

Logs: the access log leaves out the client's address, referrer and user agent (the
questionnaire promises not to store the IP address), and every log record is redacted
of tokens, resume keys and hashes (assessment/redaction.py).
"""

import os

from assessment import redaction

redaction.install()

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30  # a worker whose main loop is silent this long is restarted
graceful_timeout = 30
keepalive = 5
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = os.environ.get("ERROR_LOG", "-")
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn's control socket (gunicornc) is off unless a path is given: its default path
# in the home folder is shared by every gunicorn of the user.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
