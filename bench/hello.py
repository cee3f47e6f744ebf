"""The baseline for bench/load.py: a hello-world Flask route under the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hallo wereld"
