from datetime import timedelta

from trajectories.clock import utcnow
from trajectories.heartbeat import beat


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
    assert body["scheduler"] == "stale"
    assert body["scheduler_heartbeat_age_seconds"] >= 600


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
