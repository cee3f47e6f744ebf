from trajectories.demo.loader import load_demo


def test_catalogue_shows_demo_tracks(app, client):
    list(load_demo(app.extensions["trajectories.db"]))
    page = client.get("/").get_data(as_text=True)
    assert "Praktijkproef Global Goals &amp; lokale inclusie" in page
    assert "Duurzaam aankoopbeleid" in page
    assert "YoungChallengers" in page


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
