"""The OpenCV frame reader on real files: timestamps, frame-rate capping, damaged files
(counted and skipped, never raised), unopenable sources, and a live camera's drop-outs
(scripted capture: there is no camera on a CI machine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from ingest.camera import CameraError, FrameSource, OpenCVSource, parse_source


def _write_mjpg(path: Path, frames: int = 30, fps: float = 30.0) -> Path:
    """A small real video: MJPG in AVI, a moving bar so frames differ."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (160, 120))
    for i in range(frames):
        img = np.full((120, 160, 3), 40, np.uint8)
        img[:, (i * 5) % 160:(i * 5) % 160 + 10] = 220
        writer.write(img)
    writer.release()
    return path


def test_reads_every_frame_with_media_timestamps(tmp_path: Path) -> None:
    with OpenCVSource(_write_mjpg(tmp_path / "a.avi")) as src:
        assert isinstance(src, FrameSource)
        frames = list(src.frames())
    assert len(frames) == 30 and src.stats.delivered == 30 and src.stats.dropped == 0
    assert [f.index for f in frames] == list(range(30))
    assert [f.t for f in frames] == pytest.approx([i / 30 for i in range(30)], abs=1e-3)
    assert frames[0].image.shape == (120, 160, 3) and frames[0].image.dtype == np.uint8
    assert frames[-1].wall_time >= frames[0].wall_time


def test_max_fps_skips_frames_but_keeps_their_time(tmp_path: Path) -> None:
    with OpenCVSource(_write_mjpg(tmp_path / "a.avi", frames=60), max_fps=10) as src:
        frames = list(src.frames())
    assert len(frames) == 20 and src.stats.skipped == 40
    assert np.diff([f.t for f in frames]) == pytest.approx(0.1, abs=1e-3)
    assert frames[1].index == 3  # the source position, not the delivery count


def test_a_truncated_file_counts_the_missing_frames(tmp_path: Path) -> None:
    data = _write_mjpg(tmp_path / "a.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) * 6 // 10])
    with OpenCVSource(cut) as src:
        frames = list(src.frames())
    assert 0 < len(frames) < 30
    assert src.stats.delivered + src.stats.dropped == 30


def test_a_damaged_mp4_is_read_around_the_damage(shared_data: Path, tmp_path: Path) -> None:
    clip = shared_data / "exercise-clips" / "s05_jumping_jacks_front.mp4"
    data = bytearray(clip.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 20000] = np.random.default_rng(7).integers(0, 256, 20000, np.uint8).tobytes()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    with OpenCVSource(damaged) as src:
        frames = list(src.frames())
    assert src.stats.dropped > 0, "the decoder lost frames: they must be counted"
    assert len(frames) + src.stats.dropped == pytest.approx(304, abs=2)
    times = [f.t for f in frames]
    assert all(b > a for a, b in zip(times, times[1:], strict=False))


def test_real_clip_timestamps(shared_data: Path) -> None:
    with OpenCVSource(shared_data / "exercise-clips" / "s01_squat_front_band.mp4") as src:
        frames = list(src.frames())
    assert len(frames) == 65 and src.fps == pytest.approx(5.0)
    assert frames[-1].t == pytest.approx(12.8, abs=0.01)


@pytest.mark.parametrize(("content", "message"), [(b"hello, not a video", "cannot open"),
                                                  (None, "not found")])
def test_unusable_sources_raise_one_clear_error(tmp_path: Path, content: bytes | None,
                                                message: str) -> None:
    path = tmp_path / "x.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CameraError, match=message):
        OpenCVSource(path)


@pytest.mark.parametrize(("text", "parsed"), [("0", 0), ("2", 2), (1, 1),
                                              ("rtsp://cam.local/stream", "rtsp://cam.local/stream")])
def test_parse_source(text: Any, parsed: Any) -> None:
    assert parse_source(text) == parsed


class _ScriptedCapture:
    """A camera that delivers, then drops out: True = a frame, False = a failed read."""

    def __init__(self, script: list[bool]) -> None:
        self.script = list(script)

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return True

    def grab(self) -> bool:
        return bool(self.script) and self.script.pop(0)

    def retrieve(self) -> tuple[bool, Any]:
        return True, np.zeros((8, 8, 3), np.uint8)

    def get(self, prop: int) -> float:
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def release(self) -> None:
        pass


def test_a_live_camera_that_drops_out_is_reopened_then_given_up(monkeypatch: Any) -> None:
    opened: list[int] = []

    def fake_open(self: OpenCVSource) -> _ScriptedCapture:
        opened.append(1)
        return _ScriptedCapture([True] * 5 + [False] * 3 + [True] * 5 + [False] * 10)

    monkeypatch.setattr(OpenCVSource, "_open", fake_open)
    monkeypatch.setattr("ingest.camera.time.sleep", lambda _s: None)
    src = OpenCVSource(0, max_failures=4, max_reconnects=2)
    frames = list(src.frames())
    assert len(frames) == 10 + 2 * 10  # every (re)opening delivers its frames
    assert src.stats.reconnects == 2 and len(opened) == 3
    assert src.stats.dropped >= 3 + 3 * 3  # every failed read is counted
    assert all(b.t >= a.t for a, b in zip(frames, frames[1:], strict=False))
