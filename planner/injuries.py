"""Injury rules: which joint positions a plan keeps away from each injured area.

The rules live in ``configs/injury_rules.toml`` with a source per rule; exercises carry the
positions they involve (:mod:`planner.movement`). An exercise is contraindicated for an
area exactly when it involves a position that area's rule avoids, so a rule change moves
every exercise at once and names are never matched here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from configs.toml_model import read_toml
from planner.errors import ConfigError
from planner.vocab import INJURY_AREAS, InjuryArea, Position


class InjuryRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    area: InjuryArea
    avoid: tuple[Position, ...]
    source: str
    why: str


class InjuryRules(BaseModel):
    """Every injury area's rule, each citing a key of ``sources``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str]
    rule: tuple[InjuryRule, ...]

    @model_validator(mode="after")
    def _complete(self) -> InjuryRules:
        areas = [r.area for r in self.rule]
        if sorted(areas) != sorted(INJURY_AREAS):
            raise ValueError(f"need exactly one rule per injury area {INJURY_AREAS}, "
                             f"got {areas}")
        cited = {s.strip() for r in self.rule for s in r.source.split(",")}
        unknown = sorted(cited - set(self.sources))
        if unknown:
            raise ValueError(f"rules cite sources missing from [sources]: {unknown}")
        return self

    def for_area(self, area: str) -> InjuryRule:
        return next(r for r in self.rule if r.area == area)

    def avoided(self, areas: Iterable[str]) -> frozenset[str]:
        """Positions a member with these injured areas must not be given."""
        return frozenset(p for a in areas for p in self.for_area(a).avoid)

    def contraindications(self, positions: Iterable[str]) -> tuple[str, ...]:
        """Areas an exercise with these positions must be kept from (sorted)."""
        have = set(positions)
        return tuple(sorted(r.area for r in self.rule if have.intersection(r.avoid)))


def default_rules_path() -> Path:
    return Path(str(resources.files("configs") / "injury_rules.toml"))


def load_rules(path: Path | None = None) -> InjuryRules:
    target = path or default_rules_path()
    data = read_toml(target, ConfigError)
    try:
        return InjuryRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:6])
        raise ConfigError(f"invalid injury rules {target}: {problems}") from exc


@lru_cache(maxsize=1)
def default_rules() -> InjuryRules:
    return load_rules()
