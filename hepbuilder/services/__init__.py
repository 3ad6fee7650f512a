"""Services layer: the use cases. Take a Session and the acting user, scope every query to the clinic, flush but never commit. Never imports Flask."""
