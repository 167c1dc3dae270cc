"""Files in and out: answers collected elsewhere (`importing`, `templates`) and the
organisation's own data exported."""
