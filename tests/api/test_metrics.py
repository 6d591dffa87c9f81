"""The API's /metrics: requests by route template and status, latencies, live streams."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_requests_are_counted_by_route_template_and_status(api_world) -> None:
    client = api_world.client
    trainer = api_world.auth("trainer")
    for _ in range(3):
        assert client.get("/api/classes/demo-class/board", headers=trainer).status_code == 200
    assert client.get("/api/classes/no-such-class/board", headers=trainer).status_code == 404
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)
    route = "/api/classes/{class_session_id}/board"
    key = ("spotter_api_requests_total",
           (("method", "GET"), ("route", route), ("status", "200")))
    assert found[key] == 3
    assert found[("spotter_api_requests_total",
                  (("method", "GET"), ("route", route), ("status", "404")))] == 1
    assert found[("spotter_api_request_seconds_count",
                  (("method", "GET"), ("route", route)))] == 4
    assert ("spotter_api_sse_clients", ()) in found
    assert "demo-class" not in answer.text  # templates, never ids
