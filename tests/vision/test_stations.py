"""Stations: regions of one camera image, pose per region, one analyzer each."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.analyzer import ExerciseAnalyzer
from vision.errors import VisionError
from vision.stations import Region, Station, StationRunner, parse_region


@pytest.mark.parametrize(("text", "pixels"), [
    ("0,0,640,720", (0, 0, 640, 720)),
    ("640, 0, 640, 720", (640, 0, 1280, 720)),
    ("0.5,0,0.5,1", (640, 0, 1280, 720)),  # fractions of the image
    ("1200,0,400,720", (1200, 0, 1280, 720)),  # clipped at the image edge
])
def test_region_pixels(text: str, pixels: tuple) -> None:
    assert parse_region(text).pixels(1280, 720) == pixels


@pytest.mark.parametrize(("text", "message"), [
    ("0,0,100", "four numbers"), ("a,b,c,d", "four numbers"),
    ("0,0,0,100", "w, h > 0"), ("-5,0,10,10", "x, y >= 0"),
])
def test_bad_regions_say_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(VisionError, match=message):
        parse_region(text)


def test_a_region_outside_the_image_is_an_error() -> None:
    with pytest.raises(VisionError, match="inside the frame"):
        Region(2000, 0, 100, 100).pixels(1280, 720)


def test_crop_is_a_view_of_the_region() -> None:
    image = np.arange(720 * 1280 * 3, dtype=np.uint32).reshape(720, 1280, 3).astype(np.uint8)
    crop = Region(100, 50, 200, 100).crop(image)
    assert crop.shape == (100, 200, 3) and np.shares_memory(crop, image)


def test_duplicate_station_ids_are_refused() -> None:
    from vision.pose import MediaPipePose

    stations = [Station("a", None, MediaPipePose(), ExerciseAnalyzer("squat")) for _ in range(2)]
    try:
        with pytest.raises(VisionError, match="unique"):
            StationRunner(stations)
    finally:
        for s in stations:
            s.estimator.close()


def test_one_camera_two_members(shared_data: Path) -> None:
    """Two members side by side (the same real clip twice): each region gets its own pose."""
    from vision.pose import MediaPipePose

    cap = cv2.VideoCapture(str(shared_data / "exercise-clips" / "s05_jumping_jacks_front.mp4"))
    frames = []
    for _ in range(12):
        ok, img = cap.read()
        assert ok
        frames.append(np.hstack([img, cv2.flip(img, 1)]))  # second member mirrored
    cap.release()
    width = frames[0].shape[1]
    runner = StationRunner([
        Station("left", Region(0, 0, width // 2, 720), MediaPipePose(),
                ExerciseAnalyzer("jumping-jack")),
        Station("right", Region(width // 2, 0, width // 2, 720), MediaPipePose(),
                ExerciseAnalyzer("jumping-jack")),
    ])
    try:
        for i, frame in enumerate(frames):
            runner.process(i / 30, frame)
        left, right = (s.last_pose for s in runner.stations)
        assert left is not None and right is not None
        # Crop-normalised landmarks: the mirrored member's nose sits mirrored in its crop.
        assert left.image[0, 0] == pytest.approx(1 - right.image[0, 0], abs=0.05)
        assert left.aspect == pytest.approx(1280 / 720)
    finally:
        runner.close()
