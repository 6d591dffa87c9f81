"""Station regions proposed from one calibration snapshot: people found, then a region
around each that leaves room for the exercise and does not reach into a neighbour's.

MediaPipe's legacy Pose finds one person per image, so the snapshot is searched in
overlapping tiles at several scales (:func:`tiles`); each tile that holds a person gives
a box, and boxes that are the same person seen from several tiles are merged
(:func:`merge_boxes`). The model is the one bundled in the mediapipe wheel: nothing is
downloaded. Pure apart from the estimator it is given; the snapshot stays in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision.landmarks import PoseFrame
from vision.pose import PoseEstimator

# Tile grids (rows, columns) searched: the whole image, then ever smaller tiles, so one
# person per tile holds for a row of members side by side and for a second, farther row.
GRIDS: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (1, 3), (1, 4), (2, 2), (2, 3), (2, 4))
OVERLAP = 0.3  # of a tile's size, so a person on a tile border is whole in some tile
MAX_PER_TILE = 3  # people looked for in one tile (each found one is painted over)
MIN_VISIBLE = 8
# A person's box spans at least this share of the tile's height (on its longer side: a
# push-up is wide and low). Smaller finds are fragments or people too far to analyse.
MIN_SIZE = 0.15  # landmarks seen (visibility >= 0.5) for a detection to be a person
# Room around a person's box for the movement: arms out in a jumping jack or a step in
# a lunge reach about half a standing body's width each side. Heuristic.
MARGIN_X = 0.35
MARGIN_Y = 0.15


@dataclass(frozen=True, slots=True)
class Box:
    """A box in pixels of the snapshot, with how sure the detection was (0-1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def intersection(self, other: Box) -> float:
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return max(0.0, w) * max(0.0, h)

    def overlap(self, other: Box) -> float:
        """Intersection over the smaller box: 1 when one holds the other."""
        smaller = min(self.area, other.area)
        return self.intersection(other) / smaller if smaller > 0 else 0.0


def tiles(width: int, height: int, grids: Iterable[tuple[int, int]] = GRIDS,
          overlap: float = OVERLAP) -> list[tuple[int, int, int, int]]:
    """Tiles (x0, y0, x1, y1) of a width x height image, each grid's cells grown by
    ``overlap`` of their size on every side (clipped at the image)."""
    out = []
    for rows, cols in grids:
        cw, ch = width / cols, height / rows
        for r in range(rows):
            for c in range(cols):
                x0 = max(0, int(c * cw - overlap * cw))
                y0 = max(0, int(r * ch - overlap * ch))
                x1 = min(width, int((c + 1) * cw + overlap * cw))
                y1 = min(height, int((r + 1) * ch + overlap * ch))
                out.append((x0, y0, x1, y1))
    return out


def person_box(pose: PoseFrame, tile: tuple[int, int, int, int],
               min_visibility: float = 0.5) -> Box | None:
    """A detected pose's box in snapshot pixels; None if too little of it was seen."""
    seen = pose.visibility >= min_visibility
    if int(seen.sum()) < MIN_VISIBLE:
        return None
    x0, y0, x1, y1 = tile
    xs = x0 + np.clip(pose.image[seen, 0], 0, 1) * (x1 - x0)
    ys = y0 + np.clip(pose.image[seen, 1], 0, 1) * (y1 - y0)
    box = Box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()),
              float(pose.visibility[seen].mean()))
    if max(box.x1 - box.x0, box.y1 - box.y0) < MIN_SIZE * tile_height(tile):
        return None  # a fragment (a head, a hand), not a whole person
    return box


def tile_height(tile: tuple[int, int, int, int]) -> int:
    return tile[3] - tile[1]


def merge_boxes(boxes: Iterable[Box], same: float = 0.5) -> list[Box]:
    """One box per person: boxes overlapping by ``same`` of the smaller one are the same
    person seen from several tiles; the largest sure view of them is kept (a tile that
    cut the person off sees less of them)."""
    ranked = sorted(boxes, key=lambda b: b.score * np.sqrt(b.area), reverse=True)
    kept: list[Box] = []
    for box in ranked:
        if all(box.overlap(k) < same for k in kept):
            kept.append(box)
    return kept


def regions_from_boxes(boxes: list[Box], width: int, height: int,
                       margin_x: float = MARGIN_X, margin_y: float = MARGIN_Y
                       ) -> list[tuple[float, float, float, float]]:
    """A station region (x, y, w, h as fractions) per person, in reading order (rows
    top to bottom, left to right): the box grown for the movement, stopping halfway to
    a neighbour beside it."""
    if not boxes:
        return []
    order = sorted(boxes, key=lambda b: (round(b.centre[1] / (height / 3)), b.centre[0]))
    grown = []
    for b in order:
        bw, bh = b.x1 - b.x0, b.y1 - b.y0
        grown.append([max(0.0, b.x0 - margin_x * bw), max(0.0, b.y0 - margin_y * bh),
                      min(float(width), b.x1 + margin_x * bw),
                      min(float(height), b.y1 + margin_y * bh)])
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if i == j or min(a.y1, b.y1) - max(a.y0, b.y0) <= 0:
                continue  # not side by side
            if a.centre[0] < b.centre[0]:
                border = (a.x1 + b.x0) / 2 if a.x1 < b.x0 else (a.centre[0] + b.centre[0]) / 2
                grown[i][2] = min(grown[i][2], border)
                grown[j][0] = max(grown[j][0], border)
    return [(g[0] / width, g[1] / height, (g[2] - g[0]) / width, (g[3] - g[1]) / height)
            for g in grown]


@dataclass(frozen=True, slots=True)
class Proposal:
    regions: list[tuple[float, float, float, float]]
    people: list[Box]
    tiles_searched: int


def propose_stations(image: NDArray[np.uint8], estimator_factory: Callable[[], PoseEstimator],
                     grids: Iterable[tuple[int, int]] = GRIDS) -> Proposal:
    """Regions around the people in one snapshot. ``estimator_factory`` should give a
    single-image estimator (MediaPipe with ``static_image_mode=True``): tiles are
    unrelated images, not a video."""
    height, width = image.shape[:2]
    found: list[Box] = []
    estimator = estimator_factory()
    try:
        cells = tiles(width, height, grids)
        for tile in cells:
            found += _people_in_tile(image, tile, estimator)
    finally:
        estimator.close()
    people = merge_boxes(found)
    return Proposal(regions_from_boxes(people, width, height), people, len(cells))


def _people_in_tile(image: NDArray[np.uint8], tile: tuple[int, int, int, int],
                    estimator: PoseEstimator) -> list[Box]:
    """Everyone a single-person detector finds in one tile: after each find, the person
    is painted over and the tile searched again (a tile may hold two or three)."""
    x0, y0, x1, y1 = tile
    crop = np.array(image[y0:y1, x0:x1])
    out: list[Box] = []
    for _ in range(MAX_PER_TILE):
        pose = estimator.estimate(crop)
        box = person_box(pose, tile) if pose is not None else None
        if box is None or any(box.overlap(b) >= 0.5 for b in out):
            break
        out.append(box)
        # paint over more than the landmarks span (hair, hands, feet lie beyond them),
        # or the rest of the same person is "found" next
        bw, bh = box.x1 - box.x0, box.y1 - box.y0
        crop[max(0, int(box.y0 - 0.25 * bh) - y0):max(0, int(box.y1 + 0.1 * bh) - y0 + 1),
             max(0, int(box.x0 - 0.15 * bw) - x0):max(0, int(box.x1 + 0.15 * bw) - x0 + 1)
             ] = 127
    return out
