"""The demo class's camera station, where the shared exercise clips are present.

`make run` should show every live rule firing, the repeated form fault included, without
a camera on the machine. A recorded clip stands in for the camera (the same frame source
a studio's video file camera uses); configs/demo_cameras.toml describes it and says why
the demo box, and only it, asks for a more upright lunge than the studio's cue.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from configs.base import CONFIG_DIR

CLIP_ENV = "SPOTTER_DEMO_CLIP"
DEMO_CAMERAS = CONFIG_DIR / "demo_cameras.toml"
DEFAULT_CLIP = (CONFIG_DIR.parent.parent / "shared" / "data" / "exercise-clips"
                / "s03_split_squat_side_dumbbells.mp4")
# The clip leans 25-32 degrees; the studio's cue is 35 (configs/vision.toml).
DEMO_VISION_ENV = {"SPOTTER_VISION__EXERCISE__LUNGE__TRUNK_LEAN_MAX_DEG": "25"}


def demo_clip() -> Path | None:
    """The clip to replay, or None when it is not on this machine (no camera then)."""
    named = os.environ.get(CLIP_ENV)
    if named is not None:
        return Path(named) if named and Path(named).is_file() else None
    return DEFAULT_CLIP if DEFAULT_CLIP.is_file() else None


def write_demo_cameras(data_dir: Path, clip: Path) -> Path:
    """The camera file with the clip's path filled in, in the stack's data directory."""
    text = DEMO_CAMERAS.read_text().replace('"{clip}"', json.dumps(str(clip.resolve())))
    path = data_dir / "demo_cameras.toml"
    path.write_text(text)
    return path
