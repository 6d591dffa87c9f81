"""Station regions proposed from a calibration snapshot: tiles, one box per person,
regions that leave room for the movement and stop halfway to a neighbour."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.landmarks import N_LANDMARKS, PoseFrame
from vision.layout import Box, merge_boxes, person_box, propose_stations, regions_from_boxes, tiles


def test_tiles_cover_the_image_at_every_scale() -> None:
    cells = tiles(1280, 720, grids=((1, 1), (1, 2), (2, 3)))
    assert len(cells) == 1 + 2 + 6
    assert cells[0] == (0, 0, 1280, 720)
    for x0, y0, x1, y1 in cells:
        assert 0 <= x0 < x1 <= 1280 and 0 <= y0 < y1 <= 720
    # neighbouring tiles overlap, so a person on a border is whole in one of them
    left, right = cells[1], cells[2]
    assert left[2] > right[0]


def pose_at(points: np.ndarray, visibility: float = 0.9) -> PoseFrame:
    image = np.zeros((N_LANDMARKS, 3))
    image[:, :2] = points
    return PoseFrame(image=image, world=np.zeros((N_LANDMARKS, 3)),
                     visibility=np.full(N_LANDMARKS, visibility), aspect=1.0)


def test_a_pose_in_a_tile_becomes_a_box_in_snapshot_pixels() -> None:
    points = np.column_stack([np.linspace(0.25, 0.75, N_LANDMARKS),
                              np.linspace(0.1, 0.9, N_LANDMARKS)])
    box = person_box(pose_at(points), (100, 50, 300, 450))
    assert box is not None
    assert (box.x0, box.y0, box.x1, box.y1) == pytest.approx((150, 90, 250, 410))


def test_a_barely_seen_or_tiny_pose_is_no_person() -> None:
    points = np.column_stack([np.linspace(0.4, 0.6, N_LANDMARKS),
                              np.linspace(0.4, 0.6, N_LANDMARKS)])
    assert person_box(pose_at(points, visibility=0.3), (0, 0, 400, 400)) is None
    tiny = np.column_stack([np.linspace(0.5, 0.52, N_LANDMARKS),
                            np.linspace(0.5, 0.52, N_LANDMARKS)])
    assert person_box(pose_at(tiny), (0, 0, 400, 400)) is None


def test_the_same_person_seen_from_several_tiles_is_one_box() -> None:
    whole = Box(100, 100, 200, 400, score=0.95)
    cut_off = Box(100, 100, 200, 250, score=0.97)  # a tile that held the upper half
    neighbour = Box(260, 100, 360, 400, score=0.9)
    assert merge_boxes([cut_off, neighbour, whole]) == [whole, neighbour]


def test_regions_leave_room_but_stop_halfway_to_a_neighbour() -> None:
    a, b = Box(100, 100, 200, 400), Box(230, 100, 330, 400)
    (ra, rb) = regions_from_boxes([b, a], 1000, 500)  # returned left to right
    assert ra[0] < 100 / 1000 and ra[0] + ra[2] == pytest.approx(215 / 1000)
    assert rb[0] == pytest.approx(215 / 1000) and rb[0] + rb[2] > 330 / 1000
    alone = regions_from_boxes([a], 1000, 500)[0]
    assert alone[0] + alone[2] > 200 / 1000 + 0.03  # room for arms out


def portrait(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    if width > height:
        keep = int(height * 0.6)
        image = image[:, (width - keep) // 2:(width + keep) // 2]
    return cv2.resize(image, (324, 540))


@pytest.mark.slow
def test_four_members_side_by_side_get_four_stations(shared_data: Path) -> None:
    """A snapshot of a row of members (four real clips side by side): a region per
    person, in order, each holding that person's middle."""
    from vision.pose import MediaPipePose

    clips = shared_data / "exercise-clips"
    frames = []
    for name, at in (("s02_pushup_side_outdoor.mp4", 100), ("s03_split_squat_side_dumbbells.mp4",
                     60), ("s05_jumping_jacks_front.mp4", 60), ("s01_squat_front_band.mp4", 10)):
        capture = cv2.VideoCapture(str(clips / name))
        capture.set(cv2.CAP_PROP_POS_FRAMES, at)
        ok, image = capture.read()
        capture.release()
        assert ok
        frames.append(portrait(image))
    snapshot = np.hstack(frames)
    proposal = propose_stations(snapshot, lambda: MediaPipePose(static_image_mode=True))
    assert len(proposal.regions) == 4, proposal.people
    for k, (x, _y, w, _h) in enumerate(proposal.regions):
        assert x < (k + 0.5) / 4 < x + w, f"station {k} does not hold member {k}"
        assert x + w <= (k + 1.5) / 4, f"station {k} reaches over its neighbour"
