"""The pages' plain words: planner shorthand said in words with its source named, effort
(RPE) read as reps left, the class clock's text rendered by the server."""

from __future__ import annotations

import re

import pytest

from api.words import clock, glossary


def visible(html: str) -> str:
    """What a sighted reader sees before opening any explanation."""
    return re.sub(r'<span class="tip" role="tooltip">.*?</span>', "", html)


@pytest.mark.parametrize(("reason", "shown", "explained"), [
    ("42.5 kg = 77 % of e1RM 55.2 kg", "42.5 kg = 77 % of estimated 1-rep max 55.2 kg",
     "worked out from the weight and reps you logged"),
    ("main-lift dose (acsm2009, nsca), heavy day",
     "main-lift dose (guidance: ACSM 2009, NSCA), heavy day",
     "Progression models in resistance training"),
    ("RPE 7 (~77 % 1RM by the RPE chart)", "RPE 7 (~77 % of 1-rep max by the effort chart)",
     "about 3 more reps left in you"),
    ("0 of 2 active minutes at 70 %+ HRmax", "0 of 2 active minutes at 70 %+ of max heart rate",
     "estimated from age"),
])
def test_planner_shorthand_reads_as_words(reason: str, shown: str, explained: str) -> None:
    html = str(glossary.plain_reason(reason))
    assert re.sub(r"<[^>]+>", "", visible(html)) == shown
    assert explained in html


def test_text_is_escaped_before_words_are_added() -> None:
    assert "&lt;b&gt;" in str(glossary.plain_reason("<b> RPE 8"))


@pytest.mark.parametrize(("value", "left"), [(7, "about 3 more reps"), (9, "about 1 more rep "),
                                             (7.5, "about 2-3 more reps"), (10, "about nothing")])
def test_rpe_says_how_many_reps_were_left(value: float, left: str) -> None:
    assert left in str(glossary.rpe(value))


@pytest.mark.parametrize(("key", "name"), [("acsm2009", "ACSM 2009"), ("nsca", "NSCA"),
                                           ("schoenfeld2016", "Schoenfeld 2016"),
                                           ("acsm2009_weight", "ACSM 2009 (weight)")])
def test_source_keys_become_names(key: str, name: str) -> None:
    assert glossary.source_name(key) == name


def test_every_source_the_planner_cites_has_a_citation() -> None:
    assert all(glossary.sources().values())


def test_zone_words_follow_the_configured_bounds() -> None:
    assert glossary.zone_range(3) == "70-80 % of max heart rate"
    assert glossary.zone_range(5) == "90 % of max heart rate and up"
    assert "Z1 50-60" in str(glossary.term("zones"))


def test_progression_models_are_named() -> None:
    assert "daily undulating periodization" in str(glossary.progression("dup"))
    assert str(glossary.progression("made-up")) == "made-up"


@pytest.mark.parametrize(("start", "end", "now", "text"), [
    (None, None, 100.0, "not started"), ("", "", 100.0, "not started"),
    (1000.0, None, 1462.9, "07:42"), ("1000.5", "", 1462.9, "07:42"),
    (1000.0, 4725.0, 9999.0, "1:02:05"), (1000.0, None, 900.0, "00:00"),
    ("garbage", None, 1.0, "not started"),
])
def test_the_class_clock_text(start, end, now, text) -> None:
    assert clock.elapsed_text(start, end, now) == text
