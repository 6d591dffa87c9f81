"""Plain words for the numbers and terms the pages show.

Every figure a trainer or member reads either carries its unit or a one-line explanation
that opens on hover or tap (``explain``), the way a coach would say it. The planner writes
its reasons for trainers, with source keys ("acsm2009, nsca") and shorthand ("e1RM");
``reason`` turns those into words, each source named with its full citation on tap.

Registered on the pages' Jinja environment as ``explain`` (a global) and the filters
``plain_reason`` (alias ``plain_words``, for any generated sentence), ``plain_intensity``,
``progression`` and ``split_name``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

# One line each, for a member as much as for a trainer.
TERMS = {
    "1RM": "one-rep max: the most you could lift once with good form",
    "e1RM": "estimated one-rep max, worked out from the weight and reps you logged",
    "RPE": "rating of perceived exertion: how hard a set felt, 10 = nothing left, "
           "7 = about 3 more reps in you",
    "RIR": "reps in reserve: how many more reps you could have done",
    "deload": "a lighter week (fewer sets, lighter loads) so the body can recover and adapt",
    "HRmax": "maximum heart rate: measured, or estimated from age (208 - 0.7 x age)",
    "TRIMP": "training load (Banister's training impulse): minutes weighted by how hard "
             "the heart worked, so harder minutes count for more",
    "time at 70%+": "share of the class spent at 70 % of maximum heart rate or more "
                    "(zone 3 and up), where fitness improves",
    "recovery": "how far the heart rate fell in the minute after the last hard effort; "
                "a bigger drop usually means better fitness",
    "kcal": "estimated energy used, from heart rate, age, weight and sex (Keytel 2005 "
            "equations), counted from zone 1 up",
    "readiness": "the average of your five check-in answers, each scaled so 100 is best "
                 "(slept well, full of energy, relaxed, not sore, no pain)",
}



@cache
def _zones() -> tuple[tuple[float, ...], str, tuple[float, ...]]:
    """Zone lower bounds, their basis and effort points per minute, as the worker uses
    them (configs/zones.toml)."""
    from streams.insight_config import default_insight_config

    config = default_insight_config()
    return (tuple(config.zones.lower_bounds), config.zones.basis,
            tuple(config.effort.points_per_minute))


def zone_range(zone: int) -> str:
    """'70-80 % of max heart rate' for zone 3 (or of heart-rate reserve)."""
    bounds, basis, _ = _zones()
    of = "of max heart rate" if basis == "hrmax" else "of heart-rate reserve"
    low = round(100 * bounds[zone - 1])
    if zone >= len(bounds):
        return f"{low} % {of} and up"
    return f"{low}-{round(100 * bounds[zone])} % {of}"


def _zone_terms() -> dict[str, str]:
    bounds, basis, points = _zones()
    pct = [round(100 * b) for b in bounds]
    bands = [f"Z{z} {pct[z - 1]}-{pct[z]}" for z in range(1, len(pct))]
    of = "max heart rate" if basis == "hrmax" else "heart-rate reserve"
    return {
        "zones": f"heart-rate zones, in % of {of}: " + ", ".join(
            [*bands, f"Z{len(pct)} {pct[-1]}+"]),
        "effort points": "points for every minute by zone, like Myzone's MEPs: "
                         + ", ".join(f"{p:g} in Z{z}" for z, p in enumerate(points) if z)
                         + " (below Z1: none)",
    }


PROGRESSIONS = {
    "linear": ("steady progression",
               "reps fall and effort rises a little each week, then a lighter week"),
    "dup": ("daily undulating periodization",
            "heavy, light and moderate days take turns within each week, all getting "
            "harder across the weeks (Rhea 2002)"),
    "block": ("block periodization",
              "a phase of more reps, then heavier work, then a peak with the fewest, "
              "hardest reps (Issurin 2010)"),
}
SPLITS = {"full_body": "full-body sessions", "upper_lower": "upper body / lower body days",
          "push_pull_legs": "push / pull / legs days"}
_UPPER = {"acsm", "nsca"}


def explain(text: Any, why: str) -> Markup:
    """``text`` with a one-line explanation shown on hover or tap (focus) and read out by
    screen readers after it."""
    return Markup('<span class="explain" tabindex="0">{}<span class="tip" role="tooltip">'
                  " ({})</span></span>").format(text, why)


def term(name: str, text: Any = None) -> Markup:
    """A glossary term, shown as ``text`` (default: the term itself)."""
    why = TERMS.get(name) or _zone_terms()[name]
    return explain(name if text is None else text, why)


@cache
def sources() -> dict[str, str]:
    """Source key -> full citation, from the planner's guidance table."""
    from planner.config import default_config

    return dict(default_config().sources)


def source_name(key: str) -> str:
    """'acsm2009' -> 'ACSM 2009', 'schoenfeld2016' -> 'Schoenfeld 2016'."""
    found = re.fullmatch(r"([a-z]+)(\d{4})?(?:_(\w+))?", key)
    if not found:
        return key
    name, year, topic = found.groups()
    words = [name.upper() if name in _UPPER else name.capitalize()]
    words += [year] if year else []
    words += [f"({topic.replace('_', ' ')})"] if topic else []
    return " ".join(words)


@cache
def _shorthand() -> re.Pattern[str]:
    keys = "|".join(re.escape(k) for k in sorted(sources(), key=len, reverse=True))
    return re.compile(rf"\((?P<cited>(?:{keys})(?:,\s*(?:{keys}))*)\)"
                      r"|(?P<e1rm>\be1RM\b)"
                      r"|(?P<pct>\d+(?:\.\d+)?) ?% (?:of )?1RM\b"
                      r"|(?P<chart>\bRPE chart\b)"
                      r"|\bRPE (?P<rpe>\d+(?:\.\d+)?)\b"
                      r"|(?P<pcthr>%\+?) ?HRmax\b|(?P<hrmax>\bHRmax\b)")


def _plain(match: re.Match[str]) -> str:
    if match.group("cited"):
        keys = [k.strip() for k in match.group("cited").split(",")]
        return "(guidance: " + ", ".join(str(explain(source_name(k), sources()[k]))
                                         for k in keys) + ")"
    if match.group("e1rm"):
        return str(term("e1RM", "estimated 1-rep max"))
    if match.group("pct"):
        return str(explain(f"{match.group('pct')} % of 1-rep max", TERMS["1RM"]))
    if match.group("chart"):
        return str(explain("effort chart", "the table linking reps and effort (RPE) to a "
                                           "share of the 1-rep max, Helms 2016"))
    if match.group("pcthr") is not None:
        return match.group("pcthr") + " " + str(term("HRmax", "of max heart rate"))
    if match.group("hrmax"):
        return str(term("HRmax", "max heart rate"))
    return str(rpe(float(match.group("rpe"))))


def plain_reason(text: str | None) -> Markup:
    """A planner reason in words a member can read, sources named and explained (one
    pass, so no explanation is rewritten by a later rule)."""
    return Markup(_shorthand().sub(_plain, str(escape(text or ""))))


def rpe(value: float) -> Markup:
    """'RPE 7' with what it means: effort out of 10 and reps left (RPE = 10 - RIR)."""
    left = 10 - value
    if left <= 0:
        reps = "nothing"
    elif left == int(left):
        reps = f"{left:g} more rep{'s' if left != 1 else ''}"
    else:
        reps = f"{int(left)}-{int(left) + 1} more reps"
    return explain(f"RPE {value:g}", f"effort {value:g} out of 10: about {reps} left in you")


def plain_intensity(item: dict[str, Any]) -> Markup:
    """How heavy a planned item is, explained: kg as is, %1RM and RPE in words."""
    value = item.get("intensity") or {}
    if value.get("load_kg") is not None:
        return Markup("{} kg").format(f"{value['load_kg']:g}")
    if value.get("percent_1rm") is not None:
        return explain(f"{value['percent_1rm']:g} % of 1-rep max", TERMS["1RM"])
    if value.get("rpe") is not None:
        return rpe(float(value["rpe"]))
    return Markup("")


def progression(model: str | None) -> Markup:
    name, why = PROGRESSIONS.get(model or "", (model or "", ""))
    return explain(name, why) if why else Markup(escape(name))


def split_name(split: str | None) -> str:
    return SPLITS.get(split or "", (split or "").replace("_", " "))


def install(env: Environment) -> None:
    """Make the helpers available to every template."""
    env.globals.update(explain=explain, term=term, zone_range=zone_range)
    env.filters.update(plain_reason=plain_reason, plain_words=plain_reason,
                       plain_intensity=plain_intensity,
                       progression=progression, split_name=split_name)
