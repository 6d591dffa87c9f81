"""``spotter hr summary FILE``: the post-class numbers of one recording.

Runs the live worker's per-member code (``streams.metrics.MemberSession``) over a FIT,
TCX or CSV recording, so the batch answer and the live class agree by construction.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.apps import hr_app

# The keys issue 4 promises first, in this order; more detail follows them.
HEADLINE = ("duration_s", "avg_hr", "max_hr", "zones_s", "effort_points", "trimp", "kcal",
            "rmssd_ms", "recovery_bpm_60s")


class SexOption(StrEnum):
    female = "female"
    male = "male"
    other = "other"


def summary_dict(path: Path, *, age: int | None = None, sex: str | None = None,
                 weight_kg: float | None = None, hr_max: int | None = None,
                 hr_rest: int | None = None, config_path: Path | None = None
                 ) -> dict[str, Any]:
    """The JSON-ready summary of one recording; raises RecordingError/InsightConfigError."""
    from ingest.replay import read_recording
    from streams.insight_config import load_insight_config
    from streams.metrics import summarize_recording
    from streams.physiology import MemberProfile

    samples = read_recording(path)
    profile = MemberProfile(age=age, sex=sex, weight_kg=weight_kg,  # type: ignore[arg-type]
                            hr_max=hr_max, hr_rest=hr_rest)
    totals = summarize_recording(samples, profile, member_id=path.stem,
                                 config=load_insight_config(config_path))
    data = totals.model_dump(mode="json")
    out = {key: data.pop(key) for key in HEADLINE}
    out["file"] = str(path)
    return out | data


@hr_app.command("summary")
def summary(
    file: Annotated[Path, typer.Argument(help="Recording: .fit, .tcx or .csv.")],
    age: Annotated[int | None, typer.Option(min=5, max=120, help="Years (Tanaka HRmax, "
                                            "Keytel calories).")] = None,
    sex: Annotated[SexOption | None, typer.Option(help="For TRIMP and calories.")] = None,
    weight: Annotated[float | None, typer.Option("--weight", min=20, max=350,
                                                 help="Body mass in kg (calories).")] = None,
    hr_max: Annotated[int | None, typer.Option("--hr-max", min=100, max=240,
                                               help="Measured HRmax, bpm.")] = None,
    hr_rest: Annotated[int | None, typer.Option("--hr-rest", min=25, max=120,
                                                help="Resting HR, bpm.")] = None,
    config: Annotated[Path | None, typer.Option(help="A zones.toml to use instead of "
                                                "configs/zones.toml.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")] = False,
) -> None:
    """Zones, effort points, TRIMP, calories, HRV and recovery of one recording."""
    from ingest.replay import RecordingError
    from streams.insight_config import InsightConfigError

    try:
        result = summary_dict(file, age=age, sex=sex.value if sex else None, weight_kg=weight,
                              hr_max=hr_max, hr_rest=hr_rest, config_path=config)
    except (RecordingError, InsightConfigError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if as_json:
        typer.echo(json.dumps(result))
        return
    _print_table(result)


def _print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Heart-rate summary: {result['file']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    zones = ", ".join(f"Z{i}: {s:.0f}" for i, s in enumerate(result["zones_s"], start=1))
    rows = [
        ("time with data", f"{result['duration_s']:.0f} s (first to last sample "
                           f"{result['elapsed_s']:.0f} s)"),
        ("average / peak HR", f"{result['avg_hr']} / {result['max_hr']} bpm"),
        ("HRmax / resting used", f"{result['hr_max_used']} ({result['hr_max_source']}) / "
                                 f"{result['hr_rest_used']} ({result['hr_rest_source']})"),
        ("seconds in zones", f"below Z1: {result['below_zone1_s']:.0f}, {zones}"),
        ("effort points", f"{result['effort_points']:.1f}"),
        ("TRIMP (Banister)", f"{result['trimp']:.1f}"),
        ("calories (Keytel)", "needs --weight and --age" if result["kcal"] is None
         else f"{result['kcal']:.0f} kcal"),
        ("HRV RMSSD", "no chest-strap RR" if result["rmssd_ms"] is None
         else f"{result['rmssd_ms']:.1f} ms"),
        ("recovery 60 s", "no work bout followed by a minute of data"
         if result["recovery_bpm_60s"] is None else f"{result['recovery_bpm_60s']:.0f} bpm"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)
