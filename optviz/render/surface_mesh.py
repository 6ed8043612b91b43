"""The 3D view's mesh as a height field over the display square [-1, 1]² (pure NumPy, no GL).

A regular grid of heights, two triangles per cell (:func:`grid_faces`), with points that must
lie exactly on the surface pinned into it: each pinned point becomes a vertex that splits the
grid triangle it falls in into three. The minima are pinned, so a minimum between grid
vertices (the bottom of a narrow, log-scaled funnel) is drawn at its own loss and its marker
sits on the surface, not above the interpolated floor. :meth:`HeightField.height` interpolates
exactly as the GPU draws the triangles, so the paths ride on what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph.opengl as gl


class HeightMesh(gl.MeshData):
    """MeshData with vertex normals computed up front (MeshData's own loop is per vertex in
    Python: about a second for a 200×200 grid)."""

    def __init__(self, vertexes, faces, colors, normals):
        super().__init__(vertexes=vertexes, faces=faces, vertexColors=colors)
        self._normals = np.ascontiguousarray(normals, dtype=np.float32)

    def vertexNormals(self, indexed=None):
        if indexed == "faces":
            return self._normals[self.faces()]
        return self._normals


def grid_faces(nx: int, ny: int) -> np.ndarray:
    """Two triangles per grid cell for vertices numbered ``iy * nx + ix``, split along the
    (ix, iy)–(ix+1, iy+1) diagonal: (a, b, d) below it, (a, d, c) above, counter-clockwise
    seen from +z (the top is the front face)."""
    iy, ix = np.meshgrid(np.arange(ny - 1), np.arange(nx - 1), indexing="ij")
    a = (iy * nx + ix).ravel()
    b, c, d = a + 1, a + nx, a + nx + 1
    return np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)]).astype(np.uint32)


def vertex_normals(vertexes: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals, (Nv, 3), pointing up (+z) for a height field."""
    v = vertexes[faces]
    fn = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    normals = np.zeros_like(vertexes)
    for j in range(3):
        for c in range(3):
            normals[:, c] += np.bincount(faces[:, j], weights=fn[:, c], minlength=len(vertexes))
    norm = np.linalg.norm(normals, axis=1)
    flat = norm < 1e-12
    normals[flat] = (0.0, 0.0, 1.0)
    normals[~flat] /= norm[~flat, None]
    normals[normals[:, 2] < 0] *= -1.0
    return normals


@dataclass(frozen=True)
class _Pin:
    cell: tuple[int, int]  # (ix, iy)
    lower: bool  # the triangle (a, b, d) below the diagonal, else (a, d, c)
    corners: tuple[int, int, int]  # vertex numbers of that triangle, counter-clockwise
    point: np.ndarray  # (3,) the pinned vertex


class HeightField:
    """Heights ``z`` (ny, nx) at the grid vertices (x = -1 … 1 along columns, y along rows;
    NaN: undefined, no triangle touches it) and the pinned points."""

    def __init__(self, z: np.ndarray) -> None:
        self.z = np.asarray(z, dtype=float)
        self.ny, self.nx = self.z.shape
        self.pins: list[_Pin] = []

    def grid_vertices(self) -> np.ndarray:
        X, Y = np.meshgrid(np.linspace(-1, 1, self.nx), np.linspace(-1, 1, self.ny), indexing="xy")
        return np.column_stack([X.ravel(), Y.ravel(), np.nan_to_num(self.z, nan=0.0).ravel()])

    def _vertex(self, i: int) -> np.ndarray:
        iy, ix = divmod(int(i), self.nx)
        z = self.z[iy, ix]
        return np.array([2.0 * ix / (self.nx - 1) - 1.0, 2.0 * iy / (self.ny - 1) - 1.0, 0.0 if np.isnan(z) else z])

    def _locate(self, p: np.ndarray):
        """Grid cell, triangle side and in-cell fractions of display points (n, 2) inside."""
        gx = (p[:, 0] + 1.0) * 0.5 * (self.nx - 1)
        gy = (p[:, 1] + 1.0) * 0.5 * (self.ny - 1)
        inside = (gx >= 0) & (gx <= self.nx - 1) & (gy >= 0) & (gy <= self.ny - 1)
        gx, gy = gx[inside], gy[inside]
        ix = np.minimum(gx.astype(int), self.nx - 2)
        iy = np.minimum(gy.astype(int), self.ny - 2)
        fx, fy = gx - ix, gy - iy
        return inside, ix, iy, fx, fy, fx >= fy

    def pin(self, point) -> bool:
        """Make the mesh pass through ``point`` (display x, y, z). False (nothing pinned) when
        it is outside the square, over an undefined triangle, or in a triangle already pinned."""
        point = np.asarray(point, dtype=float).reshape(3)
        inside, ix, iy, _, _, lower = self._locate(point[None, :2])
        if not inside[0] or not np.isfinite(point[2]):
            return False
        ix, iy, lower = int(ix[0]), int(iy[0]), bool(lower[0])
        a = iy * self.nx + ix
        b, c, d = a + 1, a + self.nx, a + self.nx + 1
        corners = (a, b, d) if lower else (a, d, c)
        if not np.isfinite(self.z.ravel()[list(corners)]).all():
            return False
        if any(p.cell == (ix, iy) and p.lower == lower for p in self.pins):
            return False
        self.pins.append(_Pin((ix, iy), lower, corners, point))
        return True

    def mesh(self) -> tuple[np.ndarray, np.ndarray]:
        """(vertices, faces) of the defined triangles, the pinned points appended as vertices
        nx·ny, nx·ny + 1, … each splitting its triangle into three (same winding)."""
        verts = self.grid_vertices()
        faces = grid_faces(self.nx, self.ny)
        defined = np.isfinite(self.z).ravel()
        faces = faces[defined[faces].all(axis=1)]
        if not self.pins:
            return verts, faces
        split = {tuple(p.corners) for p in self.pins}
        keep = np.array([tuple(f) not in split for f in faces.tolist()], dtype=bool)
        extra = []
        for k, pin in enumerate(self.pins):
            v = len(verts) + k
            p, q, r = pin.corners
            extra += [(p, q, v), (q, r, v), (r, p, v)]
        verts = np.vstack([verts, [pin.point for pin in self.pins]])
        return verts, np.vstack([faces[keep], np.array(extra, dtype=np.uint32)]).astype(np.uint32)

    def height(self, display_xy) -> np.ndarray:
        """Height of the drawn mesh at display points (n, 2); NaN outside the square or over
        undefined triangles."""
        p = np.asarray(display_xy, dtype=float).reshape(-1, 2)
        out = np.full(p.shape[0], np.nan)
        inside, ix, iy, fx, fy, lower = self._locate(p)
        if not inside.any():
            return out
        zg = self.z
        za, zb = zg[iy, ix], zg[iy, ix + 1]
        zc, zd = zg[iy + 1, ix], zg[iy + 1, ix + 1]
        h = np.where(lower, za + fx * (zb - za) + fy * (zd - zb), za + fy * (zc - za) + fx * (zd - zc))
        if self.pins:
            q = p[inside]
            for pin in self.pins:
                sel = np.flatnonzero((ix == pin.cell[0]) & (iy == pin.cell[1]) & (lower == pin.lower))
                if sel.size == 0:
                    continue
                p0, p1, p2 = (self._vertex(i) for i in pin.corners)
                for s, t in ((p0, p1), (p1, p2), (p2, p0)):  # the sub-triangle (s, t, pin)
                    lam = _barycentric(q[sel], s[:2], t[:2], pin.point[:2])
                    hit = (lam >= -1e-9).all(axis=1)
                    h[sel[hit]] = lam[hit] @ np.array([s[2], t[2], pin.point[2]])
                    sel = sel[~hit]
        out[inside] = h
        return out


def _barycentric(q: np.ndarray, a, b, c) -> np.ndarray:
    """Barycentric coordinates (n, 3) of points q (n, 2) in the triangle a, b, c (2-D)."""
    v0, v1 = np.subtract(b, a), np.subtract(c, a)
    v2 = q - a
    den = v0[0] * v1[1] - v1[0] * v0[1]
    if abs(den) < 1e-18:
        return np.full((len(q), 3), -1.0)
    l1 = (v2[:, 0] * v1[1] - v1[0] * v2[:, 1]) / den
    l2 = (v0[0] * v2[:, 1] - v2[:, 0] * v0[1]) / den
    return np.column_stack([1 - l1 - l2, l1, l2])


def skirt(z: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Walls under the four edges of the height field ``z`` (ny, nx) over [-1, 1]², down to
    ``floor``: (vertices, faces), counter-clockwise seen from outside. Cells next to an
    undefined edge vertex (NaN) get no wall."""
    ny, nx = z.shape
    X, Y = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-1, 1, ny), indexing="xy")
    verts = np.stack([X, Y, np.nan_to_num(z, nan=floor)], axis=-1)
    defined = np.isfinite(z)
    sides = (
        (verts[0, :], defined[0, :]),  # y = -1, walked towards +x
        (verts[:, -1], defined[:, -1]),  # x = +1, towards +y
        (verts[-1, ::-1], defined[-1, ::-1]),  # y = +1, towards -x
        (verts[::-1, 0], defined[::-1, 0]),  # x = -1, towards -y
    )
    out_v, out_f = [], []
    start = 0
    for top, ok in sides:
        m = len(top)
        bottom = top.copy()
        bottom[:, 2] = floor
        i = np.flatnonzero(ok[:-1] & ok[1:])
        t, b = start + i, start + m + i  # top i, bottom i; +1 is the next along the walk
        out_f.append(np.concatenate([np.stack([b, b + 1, t + 1], 1), np.stack([b, t + 1, t], 1)]))
        out_v += [top, bottom]
        start += 2 * m
    return np.concatenate(out_v), np.concatenate(out_f).astype(np.uint32)
