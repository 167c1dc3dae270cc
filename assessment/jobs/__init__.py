"""Tasks run by the job queue's workers (named by dotted path; nothing imports them)."""
