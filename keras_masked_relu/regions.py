"""Masks drawn from coordinates: intervals of signals, shapes of images and volumes.

A region is a small description (a few numbers in its config) that turns into a
mask of values in [0, 1] for whatever size it meets: `(length,)` for 1-D
signals (`Interval`), `(height, width)` for 2-D images (`Circle`, `Ellipse`,
`Box`, `Polygon`) and `(depth, height, width)` for 3-D volumes (`Sphere`,
`Ellipsoid`, `Cuboid`).

Coordinates follow the array: a point is `(x, y)` = (column, row) in an image
and `(x, y, z)` = (column, row, slice) in a volume, and a position in a signal
is its index. Pixel (and voxel) centres lie at integer coordinates, and rows
grow downwards. With `relative=True`, points are fractions of the size along
each axis (0 is the first edge, 1 the last), so one region serves every
resolution.

A hard edge (`softness=0`) marks every pixel whose centre lies inside the shape
or on its boundary. A soft edge of `softness=s` keeps 1 inside the shape and
falls linearly to 0 over `s` pixels outside it, so the mask becomes weighted.

Regions of the same dimensionality combine with `|` (`Union`), `&`
(`Intersection`), `-` (`Difference`) and `~` (`Invert`).

Example:
>>> from keras_masked_relu.regions import Circle, Box
>>> fov = Circle(center=(0.5, 0.5), radius=0.45, relative=True, softness=2.0)
>>> roi = fov - Box(start=(0, 0), end=(15, 7))
>>> roi.to_numpy(32, 32).shape
(32, 32)
"""

import math

import keras
import numpy as np
from keras import ops

from keras_masked_relu._validation import check_bool, check_number, check_point

# A pixel centre closer than this to a polygon's edge counts as on the edge.
_EDGE_TOLERANCE = 1e-3

_SIZE_NAMES = {1: "(length,)", 2: "(height, width)", 3: "(depth, height, width)"}


class _Grid:
    """Pixel-centre coordinates of a signal, image or volume, in NumPy or `keras.ops`.

    `coords[i]` holds the coordinate of a point's component `i` (x, y, z) at
    each element, shaped to broadcast over the array, and `sizes[i]` the
    number of elements along it: component `i` runs along the array's axis
    `dimensions - 1 - i` (x along the last axis).
    """

    def __init__(self, xp, sizes):
        self.xp = xp
        self.dimensions = len(sizes)
        self.coords, self.sizes = [], []
        for component in range(self.dimensions):
            axis = self.dimensions - 1 - component
            shape = [1] * self.dimensions
            shape[axis] = -1
            size = sizes[axis]
            self.coords.append(xp.reshape(xp.arange(size, dtype="float32"), shape))
            self.sizes.append(np.float32(size) if xp is np else ops.cast(size, "float32"))

    @property
    def cols(self):
        return self.coords[0]

    @property
    def rows(self):
        return self.coords[1]

    @property
    def width_f(self):
        return self.sizes[0]

    @property
    def height_f(self):
        return self.sizes[1]

    def point(self, point, relative):
        """A point in pixel coordinates."""
        if relative:
            return tuple(p * size - 0.5 for p, size in zip(point, self.sizes))
        return tuple(point)

    def shortest_side(self):
        shortest = self.sizes[0]
        for size in self.sizes[1:]:
            shortest = self.xp.minimum(shortest, size)
        return shortest

    def cast(self, value):
        if self.xp is np:
            return np.asarray(value, dtype="float32")
        return ops.cast(value, "float32")


class Region:
    """Base class of the coordinate shapes and their combinations."""

    @property
    def dimensions(self):
        """The number of spatial axes of the masks it draws: 1, 2 or 3."""
        raise NotImplementedError

    @property
    def is_binary(self):
        """Whether every mask this region draws holds only 0 and 1."""
        raise NotImplementedError

    def rasterize(self, *sizes):
        """Draws the mask with `keras.ops`.

        Args:
            *sizes: The mask's size along each spatial axis, in the array's
                order: `length`, `height, width` or `depth, height, width`.
                Each is an int, or a scalar tensor when it is only known at
                run time.

        Returns:
            A float32 tensor of shape `sizes` with values in [0, 1].
        """
        return self._draw(_Grid(ops, self._checked_sizes(sizes)))

    def to_numpy(self, *sizes):
        """Draws the mask with NumPy for a size known in advance.

        Args:
            *sizes: The mask's size along each spatial axis, in the array's
                order: `length`, `height, width` or `depth, height, width`.

        Returns:
            A float32 NumPy array of shape `sizes`, values in [0, 1].
        """
        sizes = tuple(int(size) for size in self._checked_sizes(sizes))
        mask = self._draw(_Grid(np, sizes))
        return np.ascontiguousarray(np.broadcast_to(mask, sizes), "float32")

    def _checked_sizes(self, sizes):
        if len(sizes) != self.dimensions:
            raise ValueError(
                f"{type(self).__name__} is a {self.dimensions}-D region: it draws masks "
                f"of size {_SIZE_NAMES[self.dimensions]}. Received: sizes={tuple(sizes)}"
            )
        return sizes

    def _draw(self, grid):
        raise NotImplementedError

    def __or__(self, other):
        return Union(self, other)

    def __and__(self, other):
        return Intersection(self, other)

    def __sub__(self, other):
        return Difference(self, other)

    def __invert__(self):
        return Invert(self)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Shape(Region):
    """A single shape: holds the options shared by every shape.

    Args:
        relative: If `True`, coordinates and lengths are fractions of the
            size along each axis rather than pixels.
        softness: Width in pixels of the ramp from 1 to 0 outside the edge;
            0 gives a hard, binary edge.
    """

    # The number of spatial axes of the masks the shape draws.
    DIMENSIONS = 2

    def __init__(self, relative=False, softness=0.0):
        self.relative = check_bool("relative", relative)
        self.softness = check_number("softness", softness, minimum=0.0)

    @property
    def dimensions(self):
        return self.DIMENSIONS

    @property
    def is_binary(self):
        return self.softness == 0

    def _draw(self, grid):
        xp = grid.xp
        if self.softness == 0:
            return grid.cast(self._inside(grid))
        distance = xp.where(self._inside(grid), 0.0, self._distance(grid))
        return xp.clip(1.0 - distance / self.softness, 0.0, 1.0)

    def _inside(self, grid):
        """Boolean map of the pixel centres inside the shape or on its edge."""
        raise NotImplementedError

    def _distance(self, grid):
        """Distance in pixels from each centre outside the shape to its edge."""
        raise NotImplementedError

    def get_config(self):
        return {"relative": self.relative, "softness": self.softness}


def _sum_of_squares(values):
    total = values[0] * values[0]
    for value in values[1:]:
        total = total + value * value
    return total


class _Ball(Shape):
    """The centres within `radius` of `center`, in any dimension."""

    def __init__(self, center, radius, relative=False, softness=0.0):
        super().__init__(relative=relative, softness=softness)
        self.center = check_point("center", center, self.DIMENSIONS)
        self.radius = check_number("radius", radius, positive=True)

    def _offsets(self, grid):
        center = grid.point(self.center, self.relative)
        radius = self.radius
        if self.relative:
            radius = radius * grid.shortest_side()
        return [c - p for c, p in zip(grid.coords, center)], radius

    def _inside(self, grid):
        offsets, radius = self._offsets(grid)
        return _sum_of_squares(offsets) <= radius * radius

    def _distance(self, grid):
        offsets, radius = self._offsets(grid)
        return grid.xp.sqrt(_sum_of_squares(offsets)) - radius

    def get_config(self):
        config = super().get_config()
        config.update({"center": list(self.center), "radius": self.radius})
        return config


class _Span(Shape):
    """An axis-aligned span from `start` to `end`, ends inclusive, in any dimension."""

    def __init__(self, start, end, relative=False, softness=0.0):
        super().__init__(relative=relative, softness=softness)
        self.start = self._point("start", start)
        self.end = self._point("end", end)
        if any(e < s for s, e in zip(self._components(self.start), self._components(self.end))):
            raise ValueError(
                f"`end` must not come before `start` along any axis. "
                f"Received: start={start!r}, end={end!r}"
            )

    def _point(self, name, value):
        return check_point(name, value, self.DIMENSIONS)

    @staticmethod
    def _components(point):
        return point

    def _gaps(self, grid):
        xp = grid.xp
        start = grid.point(self._components(self.start), self.relative)
        end = grid.point(self._components(self.end), self.relative)
        return [
            xp.maximum(xp.maximum(s - c, c - e), 0.0) for c, s, e in zip(grid.coords, start, end)
        ]

    def _inside(self, grid):
        inside = None
        for gap in self._gaps(grid):
            here = gap <= 0
            inside = here if inside is None else grid.xp.logical_and(inside, here)
        return inside

    def _distance(self, grid):
        return grid.xp.sqrt(_sum_of_squares(self._gaps(grid)))

    def get_config(self):
        config = super().get_config()
        config.update({"start": list(self.start), "end": list(self.end)})
        return config


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Circle(_Ball):
    """A disc: the pixel centres within `radius` of `center`.

    Formula:
    ```python
    inside = (col - center_x) ** 2 + (row - center_y) ** 2 <= radius ** 2
    ```

    Args:
        center: The point `(x, y)` = (column, row) of the centre.
        radius: Positive radius. With `relative=True`, a fraction of the
            shorter image side.
        relative: If `True`, `center` and `radius` are fractions of the image.
        softness: Width in pixels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Circle
    >>> Circle(center=(5, 5), radius=3).to_numpy(10, 10).sum()
    29.0
    """

    DIMENSIONS = 2


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Ellipse(Shape):
    """An ellipse with radii along its own axes, turned by `angle` degrees.

    Formula:
    ```python
    u = cos(angle) * (col - cx) + sin(angle) * (row - cy)
    v = -sin(angle) * (col - cx) + cos(angle) * (row - cy)
    inside = (u / radii[0]) ** 2 + (v / radii[1]) ** 2 <= 1
    ```

    A positive `angle` turns the first axis from the column axis towards the
    row axis, which is clockwise on screen because rows grow downwards.
    The soft edge uses the first-order distance `(q - 1) / |grad q|` with
    `q = sqrt((u / a) ** 2 + (v / b) ** 2)`, exact on both axes.

    Args:
        center: The point `(x, y)` of the centre.
        radii: Two positive radii `(a, b)`. With `relative=True`, fractions of
            the image width and height.
        angle: Rotation in degrees.
        relative: If `True`, `center` and `radii` are fractions of the image.
        softness: Width in pixels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Ellipse
    >>> Ellipse(center=(8, 4), radii=(6, 2)).to_numpy(9, 17).sum()
    37.0
    """

    def __init__(self, center, radii, angle=0.0, relative=False, softness=0.0):
        super().__init__(relative=relative, softness=softness)
        self.center = check_point("center", center)
        if not isinstance(radii, (list, tuple)) or len(radii) != 2:
            raise ValueError(f"`radii` must be two positive numbers. Received: radii={radii!r}")
        self.radii = tuple(check_number("radii", r, positive=True) for r in radii)
        self.angle = check_number("angle", angle)

    def _normalised(self, grid):
        cx, cy = grid.point(self.center, self.relative)
        a, b = self.radii
        if self.relative:
            a, b = a * grid.width_f, b * grid.height_f
        cos, sin = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        dx, dy = grid.cols - cx, grid.rows - cy
        u = (cos * dx + sin * dy) / a
        v = (cos * dy - sin * dx) / b
        return u, v, a, b

    def _inside(self, grid):
        u, v, _, _ = self._normalised(grid)
        return u * u + v * v <= 1.0

    def _distance(self, grid):
        xp = grid.xp
        u, v, a, b = self._normalised(grid)
        q = xp.sqrt(u * u + v * v)
        gradient = xp.sqrt((u / a) ** 2 + (v / b) ** 2)
        return (q - 1.0) * q / xp.maximum(gradient, 1e-12)

    def get_config(self):
        config = super().get_config()
        config.update({"center": list(self.center), "radii": list(self.radii), "angle": self.angle})
        return config


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Box(_Span):
    """An axis-aligned rectangle from `start` to `end`, both ends inclusive.

    Formula:
    ```python
    inside = (start_x <= col <= end_x) & (start_y <= row <= end_y)
    ```

    Args:
        start: The corner `(x, y)` with the smallest coordinates.
        end: The opposite corner; each coordinate `>=` that of `start`.
        relative: If `True`, corners are fractions of the image size.
        softness: Width in pixels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Box
    >>> Box(start=(3, 3), end=(6, 6)).to_numpy(10, 10).sum()
    16.0
    """

    DIMENSIONS = 2


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Polygon(Shape):
    """A simple or self-intersecting polygon, filled by the even-odd rule.

    A pixel centre is inside when a ray from it crosses the edges an odd
    number of times, or when it lies on an edge (within 1e-3 pixels).

    Args:
        vertices: Three or more points `(x, y)`, in order; the last joins the
            first.
        relative: If `True`, vertices are fractions of the image size.
        softness: Width in pixels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Polygon
    >>> Polygon([(0, 0), (4, 0), (0, 4)]).to_numpy(5, 5).sum()
    15.0
    """

    def __init__(self, vertices, relative=False, softness=0.0):
        super().__init__(relative=relative, softness=softness)
        if not isinstance(vertices, (list, tuple, np.ndarray)) or len(vertices) < 3:
            raise ValueError(
                "`vertices` must hold at least three points (x, y). "
                f"Received: vertices={vertices!r}"
            )
        self.vertices = tuple(check_point("vertices", v) for v in vertices)
        self._edges = [
            (a, b) for a, b in zip(self.vertices, self.vertices[1:] + self.vertices[:1]) if a != b
        ]
        if _all_on_one_line(self.vertices):
            raise ValueError(
                "`vertices` must hold at least three points not all on one line. "
                f"Received: vertices={vertices!r}"
            )

    def _edge_points(self, grid):
        for a, b in self._edges:
            yield (
                grid.point(a, self.relative),
                grid.point(b, self.relative),
                a[1] == b[1],
            )

    def _crossings(self, grid):
        xp = grid.xp
        odd = None
        for (xa, ya), (xb, yb), horizontal in self._edge_points(grid):
            if horizontal:
                continue
            spans = xp.not_equal(grid.rows > ya, grid.rows > yb)
            x_cross = xa + (grid.rows - ya) * ((xb - xa) / (yb - ya))
            crosses = xp.logical_and(spans, grid.cols < x_cross)
            odd = crosses if odd is None else xp.logical_xor(odd, crosses)
        return odd

    def _edge_distance(self, grid):
        xp = grid.xp
        nearest = None
        for (xa, ya), (xb, yb), _ in self._edge_points(grid):
            ex, ey = xb - xa, yb - ya
            px, py = grid.cols - xa, grid.rows - ya
            t = xp.clip((px * ex + py * ey) / (ex * ex + ey * ey), 0.0, 1.0)
            dx, dy = px - t * ex, py - t * ey
            d2 = dx * dx + dy * dy
            nearest = d2 if nearest is None else xp.minimum(nearest, d2)
        return xp.sqrt(nearest)

    def _inside(self, grid):
        on_edge = self._edge_distance(grid) <= _EDGE_TOLERANCE
        return grid.xp.logical_or(self._crossings(grid), on_edge)

    def _distance(self, grid):
        return self._edge_distance(grid)

    def get_config(self):
        config = super().get_config()
        config.update({"vertices": [list(v) for v in self.vertices]})
        return config


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Interval(_Span):
    """A span of a 1-D signal from index `start` to index `end`, both inclusive.

    Formula:
    ```python
    inside = start <= i <= end
    ```

    Args:
        start: The first index inside, a number.
        end: The last index inside; `>= start`.
        relative: If `True`, `start` and `end` are fractions of the length.
        softness: Width in samples of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Interval
    >>> Interval(start=2, end=5).to_numpy(8).tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """

    DIMENSIONS = 1

    def _point(self, name, value):
        return check_number(name, value)

    @staticmethod
    def _components(point):
        return (point,)

    def get_config(self):
        config = Shape.get_config(self)
        config.update({"start": self.start, "end": self.end})
        return config


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Sphere(_Ball):
    """A ball of a volume: the voxel centres within `radius` of `center`.

    Formula:
    ```python
    inside = (col - cx) ** 2 + (row - cy) ** 2 + (slice - cz) ** 2 <= radius ** 2
    ```

    Args:
        center: The point `(x, y, z)` = (column, row, slice) of the centre.
        radius: Positive radius. With `relative=True`, a fraction of the
            shortest side of the volume.
        relative: If `True`, `center` and `radius` are fractions of the volume.
        softness: Width in voxels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Sphere
    >>> Sphere(center=(4, 4, 4), radius=1).to_numpy(9, 9, 9).sum()
    7.0
    """

    DIMENSIONS = 3


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Ellipsoid(Shape):
    """An axis-aligned ellipsoid of a volume.

    Formula:
    ```python
    q = sqrt(((col - cx) / rx) ** 2 + ((row - cy) / ry) ** 2 + ((slice - cz) / rz) ** 2)
    inside = q <= 1
    ```

    The soft edge uses the first-order distance `(q - 1) / |grad q|`, exact
    on the three axes (as `Ellipse`'s).

    Args:
        center: The point `(x, y, z)` = (column, row, slice) of the centre.
        radii: Three positive radii `(rx, ry, rz)` along x, y and z. With
            `relative=True`, fractions of the volume's width, height and depth.
        relative: If `True`, `center` and `radii` are fractions of the volume.
        softness: Width in voxels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Ellipsoid
    >>> Ellipsoid(center=(4, 4, 4), radii=(2, 1, 1)).to_numpy(9, 9, 9).sum()
    9.0
    """

    DIMENSIONS = 3

    def __init__(self, center, radii, relative=False, softness=0.0):
        super().__init__(relative=relative, softness=softness)
        self.center = check_point("center", center, 3)
        if not isinstance(radii, (list, tuple)) or len(radii) != 3:
            raise ValueError(f"`radii` must be three positive numbers. Received: radii={radii!r}")
        self.radii = tuple(check_number("radii", r, positive=True) for r in radii)

    def _normalised(self, grid):
        center = grid.point(self.center, self.relative)
        radii = self.radii
        if self.relative:
            radii = [r * size for r, size in zip(radii, grid.sizes)]
        scaled = [(c - p) / r for c, p, r in zip(grid.coords, center, radii)]
        return scaled, radii

    def _inside(self, grid):
        scaled, _ = self._normalised(grid)
        return _sum_of_squares(scaled) <= 1.0

    def _distance(self, grid):
        xp = grid.xp
        scaled, radii = self._normalised(grid)
        q = xp.sqrt(_sum_of_squares(scaled))
        gradient = xp.sqrt(_sum_of_squares([u / r for u, r in zip(scaled, radii)]))
        return (q - 1.0) * q / xp.maximum(gradient, 1e-12)

    def get_config(self):
        config = super().get_config()
        config.update({"center": list(self.center), "radii": list(self.radii)})
        return config


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Cuboid(_Span):
    """An axis-aligned box of a volume from `start` to `end`, both ends inclusive.

    Formula:
    ```python
    inside = (start_x <= col <= end_x) & (start_y <= row <= end_y) & (start_z <= slice <= end_z)
    ```

    Args:
        start: The corner `(x, y, z)` = (column, row, slice) with the smallest
            coordinates.
        end: The opposite corner; each coordinate `>=` that of `start`.
        relative: If `True`, corners are fractions of the volume's size.
        softness: Width in voxels of a soft edge; 0 for a hard edge.

    Example:
    >>> from keras_masked_relu.regions import Cuboid
    >>> Cuboid(start=(1, 1, 1), end=(2, 3, 4)).to_numpy(6, 6, 6).sum()
    24.0
    """

    DIMENSIONS = 3


def _all_on_one_line(points):
    origin = points[0]
    other = next((p for p in points if p != origin), None)
    if other is None:
        return True
    ex, ey = other[0] - origin[0], other[1] - origin[1]
    return all(ex * (y - origin[1]) == ey * (x - origin[0]) for x, y in points)


def _check_regions(name, regions, minimum):
    if len(regions) < minimum:
        raise ValueError(f"`{name}` needs at least {minimum} regions. Received: {len(regions)}")
    for region in regions:
        if not isinstance(region, Region):
            raise TypeError(
                f"`{name}` combines regions only. Received: {region!r} "
                f"of type {type(region).__name__}"
            )
    dimensions = {region.dimensions for region in regions}
    if len(dimensions) > 1:
        described = ", ".join(f"{type(r).__name__} ({r.dimensions}-D)" for r in regions)
        raise ValueError(
            f"`{name}` combines regions of one dimensionality only. Received: {described}"
        )
    return tuple(regions)


def _serialize(region):
    return keras.saving.serialize_keras_object(region)


def _deserialize(config):
    return keras.saving.deserialize_keras_object(config)


class _Combination(Region):
    """A region computed from others; the edges' options belong to the parts."""

    def __init__(self, *regions):
        self.regions = _check_regions(type(self).__name__, regions, 2)

    @property
    def dimensions(self):
        return self.regions[0].dimensions

    @property
    def is_binary(self):
        return all(r.is_binary for r in self.regions)

    def _draw(self, grid):
        masks = [r._draw(grid) for r in self.regions]
        result = masks[0]
        for mask in masks[1:]:
            result = self._merge(grid.xp, result, mask)
        return result

    def _merge(self, xp, result, mask):
        """Combines the mask so far with the next part's mask."""
        raise NotImplementedError

    def get_config(self):
        return {"regions": [_serialize(r) for r in self.regions]}

    @classmethod
    def from_config(cls, config):
        return cls(*[_deserialize(r) for r in config["regions"]])


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Union(_Combination):
    """The pixels in any of the regions: the largest of their mask values.

    Args:
        *regions: Two or more regions.

    Example:
    >>> from keras_masked_relu.regions import Circle
    >>> both_eyes = Circle((4, 4), 2) | Circle((12, 4), 2)
    >>> both_eyes.to_numpy(9, 17).sum()
    26.0
    """

    def _merge(self, xp, result, mask):
        return xp.maximum(result, mask)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Intersection(_Combination):
    """The pixels in every region: the smallest of their mask values.

    Args:
        *regions: Two or more regions.

    Example:
    >>> from keras_masked_relu.regions import Circle
    >>> lens = Circle((6, 6), 4) & Circle((9, 6), 4)
    >>> lens.to_numpy(13, 16).sum()
    26.0
    """

    def _merge(self, xp, result, mask):
        return xp.minimum(result, mask)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Difference(_Combination):
    """The pixels of the first region that are in none of the others.

    Formula:
    ```python
    mask = min(first, 1 - max(others))
    ```

    Args:
        *regions: Two or more regions; the later ones are cut from the first.

    Example:
    >>> from keras_masked_relu.regions import Circle
    >>> ring = Circle((8, 8), 6) - Circle((8, 8), 3)
    >>> ring.to_numpy(17, 17).sum()
    84.0
    """

    def _merge(self, xp, result, mask):
        return xp.minimum(result, 1.0 - mask)


@keras.saving.register_keras_serializable(package="keras_masked_relu")
class Invert(Region):
    """Every pixel outside a region: one minus its mask.

    Args:
        region: The region to invert.

    Example:
    >>> from keras_masked_relu.regions import Circle
    >>> outside_fov = ~Circle((0.5, 0.5), 0.5, relative=True)
    >>> outside_fov.to_numpy(8, 8).sum()
    12.0
    """

    def __init__(self, region):
        (self.region,) = _check_regions("Invert", (region,), 1)

    @property
    def dimensions(self):
        return self.region.dimensions

    @property
    def is_binary(self):
        return self.region.is_binary

    def _draw(self, grid):
        return 1.0 - self.region._draw(grid)

    def get_config(self):
        return {"region": _serialize(self.region)}

    @classmethod
    def from_config(cls, config):
        return cls(_deserialize(config["region"]))
