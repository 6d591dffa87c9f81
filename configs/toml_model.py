"""A TOML file validated into a pydantic model, with errors a person can act on.

Every config file in ``configs/`` is read the same way: a missing file, broken syntax
and each invalid field become one error naming the file (and the field), of the caller's
own error type so each package keeps reporting its own kind of problem.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_toml(path: Path, error: type[Exception] = ValueError) -> dict[str, Any]:
    """The one TOML reader of data and config files: a missing file and broken syntax
    become one ``error`` naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise error(f"file {path} not found; restore it from the repository") from exc
    except OSError as exc:
        raise error(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path} is not valid TOML ({exc}); fix the syntax") from exc


def load_toml_model(model: type[ModelT], path: Path, error: type[Exception]) -> ModelT:
    """``path`` read as TOML and validated as ``model`` (a data file such as a camera
    list; settings classes use ``configs.base.ConfigFile``); failures raise ``error``."""
    data = read_toml(path, error)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors())
        raise error(f"{path}: {problems}") from exc
