from datetime import timedelta

from trajectories.core.clock import utcnow
from trajectories.core.heartbeat import beat


def test_healthz_without_scheduler_reports_absent(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "scheduler": "absent",
                             "scheduler_heartbeat_age_seconds": None}


def test_healthz_reports_fresh_and_stale_scheduler(client, db):
    beat(db)
    assert client.get("/healthz").json["scheduler"] == "ok"
    beat(db, now=utcnow() - timedelta(minutes=10))
    body = client.get("/healthz").json
    assert (body["status"], body["scheduler"]) == ("degraded", "stale")
    assert body["scheduler_heartbeat_age_seconds"] >= 600


def test_healthz_says_when_the_scheduler_of_this_process_waits(app, client, database_url):
    """`serve --scheduler`: while this process's scheduler waits for the leader lock (held by
    another, or the database gone) and none beats, /healthz says so; then it runs."""
    import threading
    import time

    from trajectories.core.leader import LeaderLock
    from trajectories.scheduler.runtime import run_as_leader

    other = LeaderLock(database_url)
    assert other.acquire()
    stop = threading.Event()
    thread = threading.Thread(target=run_as_leader, args=(app, stop, 0.1), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15  # (the thread may be slow to start on a busy machine)
        while "trajectories.scheduler" not in app.extensions and time.monotonic() < deadline:
            time.sleep(0.05)
        body = client.get("/healthz").json
        assert (body["status"], body["scheduler"], body["scheduler_in_this_process"]) == (
            "degraded", "waiting", "waiting")
        other.release()
        deadline = time.monotonic() + 15
        while client.get("/healthz").json["scheduler"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.1)
        body = client.get("/healthz").json
        assert (body["status"], body["scheduler"], body["scheduler_in_this_process"]) == (
            "ok", "ok", "running")
    finally:
        stop.set()
        thread.join(timeout=20)
        other.release()
    assert not thread.is_alive()


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    from trajectories.app import create_app

    # A database file that exists but is not a database.
    path = tmp_path / "garbage.db"
    path.write_bytes(b"not a database" * 100)
    app = create_app({"database_url": f"sqlite:///{path}", "var_dir": str(tmp_path),
                      "secret_key": "x", "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
