"""/trainer/schedules pages through a real cookie session: generate, grid, publish, compare,
repair and adjustments as htmx posts with the CSRF header; who sees which controls."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.timeout(120)
HX = {"HX-Request": "true"}


def login(client, email: str, password: str) -> dict[str, str]:
    """Log in through the form; returns the htmx headers (CSRF token) of the session."""
    response = client.post("/login", data={"email": email, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("spotter_session", response.cookies["spotter_session"])
    page = client.get("/trainer/schedules")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert token is not None
    return {**HX, "X-CSRF-Token": token.group(1)}


def test_admin_plans_compares_publishes_and_repairs_in_the_pages(api_world) -> None:
    client = api_world.client
    headers = login(client, *api_world.demo.accounts["admin"])
    page = client.get("/trainer/schedules")
    assert "Plan a timetable" in page.text and "No timetables yet" in page.text

    refused = client.post("/trainer/schedules/generate", headers=headers,
                          data={"week_start": "2030-01-02", "time_limit_s": "3"})
    assert refused.status_code == 200 and "give a Monday" in refused.text
    assert "HX-Redirect" not in refused.headers
    no_csrf = client.post("/trainer/schedules/generate", headers=HX, data={"time_limit_s": "3"})
    assert no_csrf.status_code == 403

    made = client.post("/trainer/schedules/generate", headers=headers,
                       data={"time_limit_s": "3", "scenario": "admin"})
    assert made.status_code == 200, made.text
    first = made.headers["HX-Redirect"]
    other = client.post("/trainer/schedules/generate", headers=headers,
                        data={"time_limit_s": "3", "scenario": "comfort", "w_revenue": "0.5",
                              "name": "comfort scenario"}).headers["HX-Redirect"]
    detail = client.get(first)
    assert detail.status_code == 200
    assert detail.text.count('data-testid="class-block"') >= 1
    assert "Sam Coach" in detail.text and "expected" in detail.text
    assert "Approve and publish" in detail.text and "Score breakdown" in detail.text
    assert "Against a hand-made draft" in detail.text
    assert_breakdown_adds_up(detail.text)

    a, b = first.rsplit("/", 1)[1], other.rsplit("/", 1)[1]
    compared = client.get(f"/trainer/schedules/compare?a={a}&b={b}")
    assert compared.status_code == 200
    assert 'data-testid="scenario-A"' in compared.text and "comfort scenario" in compared.text
    assert "idle minute 0.2" in compared.text and "revenue 0.5" in compared.text
    # planned under different weights: the page says so and scores both on A's weights
    assert 'data-testid="weights-differ"' in compared.text
    assert "revenue 0.05 in A, 0.5 in B" in compared.text
    assert 'data-testid="common-B"' in compared.text
    assert not re.search(r"demo-(hiit|room|trainer)", compared.text.split("What B changes")[1])
    assert_breakdown_adds_up(compared.text)

    fragment = client.get(f"{first}/adjustments")
    assert fragment.status_code == 200 and "attendance history" in fragment.text

    published = client.post(f"{first}/publish", headers=headers)
    assert published.headers["HX-Redirect"] == f"{first}?published=1"
    after = client.get(f"{first}?published=1")
    assert 'data-testid="schedule-status">published' in after.text
    assert "Approve and publish" not in after.text and "Repair this week" in after.text
    again = client.post(f"{first}/publish", headers=headers)
    assert again.status_code == 200 and "only drafts" in again.text
    assert after.text.count('data-testid="pin"') == after.text.count('data-testid="class-block"')
    pinned = client.post(f"{first}/pins/0", headers=headers)
    assert pinned.headers["HX-Redirect"] == first
    assert ">Unpin<" in client.get(first).text

    fixed = client.post(f"{first}/repair", headers=headers,
                        data={"kind": "room_closed", "subject": "demo-room", "day": "Mon"})
    assert fixed.status_code == 200, fixed.text
    if "HX-Redirect" in fixed.headers:  # demo studio: one room, Monday's classes go elsewhere
        repaired = client.get(fixed.headers["HX-Redirect"])
        assert "Repair: room closed" in repaired.text
    else:  # or cannot move at all: the fragment says which rules conflict
        assert "No repair is possible" in fixed.text


def assert_breakdown_adds_up(html: str) -> None:
    """Every breakdown table on the page: its shown rows add up to its shown total, and
    the headline score of a timetable is that total."""
    tables = re.findall(r'<table class="grid sched-breakdown".*?</table>', html, re.S)
    assert tables
    for table in tables:
        rows = [float(v) for v in re.findall(
            r'data-testid="breakdown-value">([^<]+)</td>', table)]
        total = float(re.search(r'data-testid="breakdown-total">([^<]+)</td>', table).group(1))
        assert len(rows) >= 5
        assert round(sum(rows), 1) == total, (rows, total)
    scores = [float(v) for v in re.findall(r'data-testid="score-total">([^<]+)</dd>', html)]
    totals = [float(v) for v in re.findall(r'data-testid="breakdown-total">([^<]+)</td>',
                                           html)]
    assert scores == totals


def test_trainers_propose_drafts_but_do_not_publish_members_are_refused(api_world) -> None:
    client = api_world.client
    headers = login(client, *api_world.demo.accounts["trainer"])
    page = client.get("/trainer/schedules")
    assert page.status_code == 200 and "Propose a timetable" in page.text
    assert "Plan a timetable" not in page.text
    made = client.post("/trainer/schedules/generate", headers=headers,
                       data={"time_limit_s": "3", "weeks": "2"})
    assert made.status_code == 200 and "HX-Redirect" in made.headers, made.text
    draft = client.get(made.headers["HX-Redirect"])
    assert "proposed by Sam Coach" in draft.text and "Approve and publish" not in draft.text
    assert "An admin reviews and publishes drafts" in draft.text
    assert "(2 weeks)" in draft.text
    schedule_id = made.headers["HX-Redirect"].rsplit("/", 1)[1]
    assert client.post(f"/trainer/schedules/{schedule_id}/publish",
                       headers=headers).status_code == 403
    client.cookies.clear()
    assert client.get("/trainer/schedules", follow_redirects=False).status_code == 303
    login_member = client.post("/login", data=dict(zip(
        ("email", "password"), api_world.demo.accounts["member"], strict=True)),
        follow_redirects=False)
    client.cookies.set("spotter_session", login_member.cookies["spotter_session"])
    assert client.get("/trainer/schedules").status_code == 403
