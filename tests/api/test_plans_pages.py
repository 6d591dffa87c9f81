"""The trainer planner pages through real cookie sessions and forms (CSRF included)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.plans.demo import seed_planner_demo

AVA = "demo-member-01"


def log_in(api_world: Any, role: str) -> str:
    """Log in through the form; returns the session's CSRF token."""
    email, password = api_world.demo.accounts[role]
    client = api_world.client
    response = client.post("/login", data={"email": email, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("spotter_session", response.cookies["spotter_session"])
    page = client.get("/trainer/plans" if role != "member" else "/member").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@pytest.fixture
def trainer(api_world) -> tuple[Any, str]:
    seed_planner_demo(api_world.database_url)
    return api_world.client, log_in(api_world, "trainer")


def test_trainer_generates_edits_and_approves_through_the_pages(trainer) -> None:
    client, csrf = trainer
    page = client.get(f"/trainer/plans?member={AVA}")
    assert page.status_code == 200 and 'id="generate"' in page.text and "Ava" in page.text
    made = client.post("/trainer/plans/generate", data={"csrf_token": csrf, "member_id": AVA,
                                                        "weeks": "4"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    review = client.get(url)
    assert review.status_code == 200 and "Approve plan" in review.text
    assert review.text.count('class="reason"') >= 4  # every item says why
    index_form = re.search(r'name="day" value="(\d)"', review.text)
    assert index_form
    day = index_form.group(1)
    bad = client.post(f"{url}/items", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf, "week": "1", "day": day, "index": "0", "reps": "40"})
    assert bad.status_code == 200 and "breaks the guidance" in bad.text and "reps 40" in bad.text
    no_csrf = client.post(f"{url}/approve", follow_redirects=False)
    assert no_csrf.status_code == 403
    approved = client.post(f"{url}/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert approved.status_code == 303
    assert 'id="plan-status">active' in client.get(url).text


def test_an_unservable_profile_shows_the_reasons_on_the_page(trainer) -> None:
    client, csrf = trainer
    saved = client.post("/trainer/plans/profile", follow_redirects=False, data={
        "csrf_token": csrf, "member_id": AVA, "age": "30", "sex": "female",
        "body_weight_kg": "60", "primary_goal": "hypertrophy", "fitness_level": "advanced",
        "days_per_week": "1", "minutes_per_session": "30", "equipment": ["dumbbell"]})
    assert saved.status_code == 303
    refused = client.post("/trainer/plans/generate", data={"csrf_token": csrf,
                                                           "member_id": AVA, "weeks": "4"})
    assert refused.status_code == 422 and 'class="reasons"' in refused.text
    assert "more minutes a week" in refused.text
    broken = client.post("/trainer/plans/profile", data={
        "csrf_token": csrf, "member_id": AVA, "age": "300", "sex": "female",
        "body_weight_kg": "60", "primary_goal": "hypertrophy", "fitness_level": "advanced",
        "days_per_week": "1", "minutes_per_session": "30"})
    assert broken.status_code == 422 and "age" in broken.text


def test_a_trainer_cannot_open_another_members_page_data(trainer, api_world) -> None:
    client, csrf = trainer
    assert client.get("/trainer/plans/not-a-plan").status_code == 404
    strangers = client.post("/trainer/plans/profile", data={"csrf_token": csrf,
                                                            "member_id": "nobody"})
    assert strangers.status_code == 404


def _generated(client: Any, csrf: str, member: str) -> str:
    made = client.post("/trainer/plans/generate", data={"csrf_token": csrf, "member_id": member,
                                                        "weeks": "4"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    return str(made.headers["location"])


def test_a_swap_from_the_offered_list_saves_and_says_the_target_changed(trainer) -> None:
    """Issue 17: Barbell Bench Press -> "Dumbbell Bench Press (easier)" for Ava, who has
    logged the barbell lift but never the dumbbell one, failed every time."""
    client, csrf = trainer
    url = _generated(client, csrf, AVA)
    review = client.get(url).text
    form = re.search(r'name="day" value="(\d)">\s*<input type="hidden" name="index" value="(\d+)">'
                     r'<input type="hidden" name="current_exercise_id" '
                     r'value="Barbell_Bench_Press_-_Medium_Grip">', review)
    assert form, "the demo plan has a barbell bench press in week 1"
    day, index = form.groups()
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', review)
    labels = [label for _, label in options]
    assert "Dumbbell Bench Press (easier)" in labels
    saved = client.post(f"{url}/items", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf, "week": "1", "day": day, "index": index,
        "current_exercise_id": "Barbell_Bench_Press_-_Medium_Grip",
        "exercise_id": "Dumbbell_Bench_Press", "intensity_kind": "load_kg",
        "intensity_value": re.search(r'value="Barbell_Bench_Press_-_Medium_Grip">.*?name='
                                     r'"intensity_value" value="([\d.]+)"', review,
                                     re.S).group(1)})  # type: ignore[union-attr]
    assert saved.status_code == 200 and 'class="error"' not in saved.text, saved.text
    assert "no logged sets of Dumbbell Bench Press" in saved.text and "RPE" in saved.text


def test_each_swap_option_is_listed_once_per_item(trainer) -> None:
    client, csrf = trainer
    review = client.get(_generated(client, csrf, AVA)).text
    for select in re.findall(r'<select name="exercise_id">(.*?)</select>', review, re.S):
        ids = re.findall(r'<option value="([^"]+)"', select)
        assert len(ids) == len(set(ids)), ids


def test_an_endurance_member_with_classes_sees_zones_to_aim_for(trainer) -> None:
    client, csrf = trainer
    saved = client.post("/trainer/plans/profile", follow_redirects=False, data={
        "csrf_token": csrf, "member_id": AVA, "age": "40", "sex": "female",
        "body_weight_kg": "60", "primary_goal": "endurance", "fitness_level": "intermediate",
        "days_per_week": "4", "minutes_per_session": "60", "hr_max": "180", "class_days": "3",
        "equipment": ["dumbbell", "bench", "machine", "cable", "pull-up bar"]})
    assert saved.status_code == 303, saved.text
    review = client.get(_generated(client, csrf, AVA)).text
    assert "studio class" in review and "In class, aim for zone 4 (144-162 bpm)" in review
    assert re.search(r"zones 2-3 \(108-144 bpm\)", review)
