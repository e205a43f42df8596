"""The HTTP service: scenarios, background solves, schedules and calendar feeds over a JSON API."""
