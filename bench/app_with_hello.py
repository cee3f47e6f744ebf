"""The baseline the feeds issue asks for: the real app (wsgi.py's) with one hello-world route
added, so the feeds and the baseline pay the same middleware (rate limiter, security headers,
request log)."""

from trajectories.app import create_app

app = create_app()


@app.get("/bench-hello")
def bench_hello():
    return "Hallo wereld"
