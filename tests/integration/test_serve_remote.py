"""kg.serving.gunicorn over a remote store: the workers hold no data (no replica, no watchdog), so any number of them, each with
threads that wait on the server, answer alike. A real `kg serve --endpoint` against the session's Oxigraph server."""

from __future__ import annotations

from helpers import children, serve, stop_service

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_a_remote_service_runs_any_number_of_threaded_workers(remote_settings, remote_argv, tmp_path):
    server = serve(tmp_path, *remote_argv, "--workers", "3", "--threads", "2", KG_QUERY_TIMEOUT="1.0")
    try:
        counts = set()
        for _ in range(6):  # spread over the workers
            status, answer, _ = server.get(COUNT)
            assert status == 200
            counts.add(int(answer["results"]["bindings"][0]["n"]["value"]))
        assert len(counts) == 1 and counts.pop() > 6000
        text = server.text()
        assert "3 gthread workers × 2 threads" in text and "remote SPARQL server" in text
        assert "watchdog" not in text
        assert all(not children(pid) for pid in server.workers())  # no executor processes either
    finally:
        stop_service(server)

