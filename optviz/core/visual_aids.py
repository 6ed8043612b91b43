"""What the visual aids show at a run's head, as numbers and shapes (no drawing): the
gradient arrow −∇J, the momentum arrow (the rule's momentum-like direction, e.g. Adam's p̂),
the step size per axis α/(ε + √r) and the field of −∇J directions over the view box. The
views (:mod:`optviz.app.views.overlays`) only draw what this computes; the rule's own
``explain`` (its definition) says which direction and step size it has.

Scaling (the same rule for every glyph, so their sizes compare):

Lengths are measured in *normalised view units*: fractions of the surface view box's width
along x and of its height along y, so an arrow looks equally long whatever the aspect of the
axes (the direction stays exactly that of the vector in data space). A vector of size m is drawn
``ARROW_BASE · √(m / m_ref)`` long, clipped to [ARROW_MIN, ARROW_MAX]:

* −∇J: m = |∇J(W)|, m_ref = G, the median |∇J| over the field's grid (the surface's typical
  gradient). A typical gradient is ARROW_BASE long; 100× steeper is 10× longer (or ARROW_MAX);
  near a minimum the arrow shrinks to ARROW_MIN but keeps pointing downhill.
* −αp: m = α|p| against α·G, i.e. |p| against G: comparable with the gradient arrow (a
  momentum buffer that has built up to 10 g is √10 ≈ 3.2 times as long).
* A vanishing vector, m < VANISHING · m_ref (its arrow would be under ~1 % of the view), is
  not drawn at the minimum length, which would show a push that is not there: the arrow is
  left out and its label reads "≈ 0" beside the head (a converged run's −∇J and −αp).
* step size: half-axis along axis i = STEP_BASE · √(G · sᵢ/α), clipped to [STEP_MIN, STEP_MAX],
  with sᵢ the step size per axis: G·sᵢ/α = G/(ε + √rᵢ) compares the gradients seen along axis
  i (their root mean square √rᵢ) with the surface's typical gradient, so the cross is long
  along axes where the gradients have been small (the method takes relatively bigger steps
  there) and short where they have been large. The square root compresses: a 100:1 ratio
  between the axes shows as 10:1.
* the field: every arrow 0.6 of a grid cell long (direction only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .optimizers import Update, rule_of

ARROW_BASE, ARROW_MIN, ARROW_MAX = 0.2, 0.07, 0.45
#: A vector smaller than this fraction of its reference is "≈ 0": no arrow (see the module doc).
VANISHING = 1e-3
STEP_BASE, STEP_MIN, STEP_MAX = 0.04, 0.012, 0.12
#: Arrow heads: this fraction of the arrow, within [HEAD_MIN, HEAD_MAX] normalised units, ±HEAD_ANGLE.
HEAD_FRACTION, HEAD_MIN, HEAD_MAX, HEAD_ANGLE = 0.3, 0.014, 0.035, np.radians(27.0)
FIELD_CELLS = 20
FIELD_LENGTH = 0.6  # of a cell
ELLIPSE_POINTS = 64


def arrow_length(magnitude: float, reference: float, base: float = ARROW_BASE, low: float = ARROW_MIN,
                 high: float = ARROW_MAX) -> float:
    """Length in normalised view units of a vector of size ``magnitude``:
    ``base · √(magnitude / reference)`` clipped to [low, high] (see the module doc)."""
    if not np.isfinite(magnitude) or not reference > 0:
        return high if magnitude == np.inf else low
    return float(np.clip(base * np.sqrt(max(magnitude, 0.0) / reference), low, high))


def vanishing(magnitude: float, reference: float) -> bool:
    """Whether a vector of size ``magnitude`` is "≈ 0" against ``reference``: below
    VANISHING · reference (a non-finite size is not vanishing; a zero one is)."""
    return bool(np.isfinite(magnitude) and reference > 0 and magnitude < VANISHING * reference)


def step_half_axis(per_alpha: float, reference: float) -> float:
    """Half-axis (normalised units) of the step-size cross along an axis whose step size is
    ``per_alpha`` · α, i.e. per_alpha = 1/(ε + √rᵢ): STEP_BASE · √(G · per_alpha)."""
    return arrow_length(float(reference * per_alpha), 1.0, STEP_BASE, STEP_MIN, STEP_MAX)


def arrow_tip(head, vector, box_size, length: float) -> np.ndarray | None:
    """The tip of an arrow from ``head`` along ``vector`` (data units) whose length in normalised
    view units (fractions of ``box_size`` = (width, height)) is ``length``; None for a zero or
    non-finite vector. The drawn vector is parallel to ``vector`` in data space."""
    v = np.asarray(vector, dtype=float)
    w, h = box_size
    u = v / (w, h)
    n = float(np.hypot(*u))
    if not np.isfinite(n) or n == 0.0:
        return None
    return np.asarray(head, dtype=float) + v * (length / n)


def arrow_segments(head, tip, box_size) -> np.ndarray:
    """Shaft and two head strokes as (6, 2) end points for a ``connect="pairs"`` curve; the head
    is shaped in normalised view units so it looks the same at any axis aspect."""
    w, h = box_size
    a = np.asarray(head, dtype=float) / (w, h)
    b = np.asarray(tip, dtype=float) / (w, h)
    d = b - a
    length = float(np.hypot(*d))
    u = d / length if length > 0 else np.array([1.0, 0.0])
    size = np.clip(HEAD_FRACTION * length, HEAD_MIN, HEAD_MAX)
    c, s = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = b - size * np.array([c * u[0] - s * u[1], s * u[0] + c * u[1]])
    right = b - size * np.array([c * u[0] + s * u[1], -s * u[0] + c * u[1]])
    return np.array([a, b, b, left, b, right]) * (w, h)


def step_size_glyph(head, half_axes, box_size, points: int = ELLIPSE_POINTS) -> np.ndarray:
    """A cross with half-axes ``half_axes`` (normalised units along x and y) and the ellipse through
    its ends, as end-point pairs for a ``connect="pairs"`` curve."""
    w, h = box_size
    ax, ay = half_axes
    hx, hy = head
    angles = np.linspace(0.0, 2 * np.pi, points + 1)
    ring = np.column_stack([hx + ax * w * np.cos(angles), hy + ay * h * np.sin(angles)])
    ellipse = np.repeat(ring, 2, axis=0)[1:-1]  # p0 p1 p1 p2 … : consecutive pairs
    cross = np.array([[hx - ax * w, hy], [hx + ax * w, hy], [hx, hy - ay * h], [hx, hy + ay * h]])
    return np.vstack([cross, ellipse])


def field_vectors(surface, cells: int = FIELD_CELLS):
    """Cell centres (M, 2) of a cells × cells grid over the surface's view box and −∇J there (M, 2);
    points with a non-finite gradient are left out."""
    box = surface.view
    xs = box.xmin + (np.arange(cells) + 0.5) * box.width / cells
    ys = box.ymin + (np.arange(cells) + 0.5) * box.height / cells
    X, Y = np.meshgrid(xs, ys, indexing="xy")
    P = np.column_stack([X.ravel(), Y.ravel()])
    with np.errstate(all="ignore"):
        G = -np.asarray(surface.grad(P), dtype=float)
    ok = np.isfinite(G).all(axis=1)
    return P[ok], G[ok]


def gradient_reference(surface, cells: int = FIELD_CELLS) -> float:
    """G: the median |∇J| over the field's grid, the surface's typical gradient (1 if none)."""
    _, G = field_vectors(surface, cells)
    norms = np.hypot(G[:, 0], G[:, 1]) if len(G) else np.zeros(0)
    norms = norms[norms > 0]
    return float(np.median(norms)) if norms.size else 1.0


def field_segments(surface, cells: int = FIELD_CELLS) -> np.ndarray:
    """Every field arrow (shaft + head) as end-point pairs: −∇J directions, FIELD_LENGTH of a cell
    long in normalised view units."""
    box = surface.view
    size = (box.width, box.height)
    P, G = field_vectors(surface, cells)
    u = G / size
    n = np.hypot(u[:, 0], u[:, 1])
    keep = n > 0
    P, u, n = P[keep], u[keep], n[keep]
    u /= n[:, None]
    length = FIELD_LENGTH / cells
    a = P / size - 0.5 * length * u  # centred on the cell
    b = a + length * u
    head = 0.38 * length
    c, s = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = b - head * np.column_stack([c * u[:, 0] - s * u[:, 1], s * u[:, 0] + c * u[:, 1]])
    right = b - head * np.column_stack([c * u[:, 0] + s * u[:, 1], -s * u[:, 0] + c * u[:, 1]])
    seg = np.stack([a, b, b, left, b, right], axis=1).reshape(-1, 2)
    return seg * size


@dataclass
class HeadGlyphs:
    """What the overlays show for one run at its current step, in data coordinates."""

    head: np.ndarray
    gradient: np.ndarray | None = None  # (6, 2) arrow pairs
    gradient_tip: np.ndarray | None = None
    momentum: np.ndarray | None = None
    momentum_tip: np.ndarray | None = None
    momentum_label: str = ""
    gradient_vanished: bool = False  # |∇J| < VANISHING · G: no arrow, a "≈ 0" label
    momentum_vanished: bool = False  # |p| < VANISHING · G
    step_size: np.ndarray | None = None  # the cross + ellipse pairs
    half_axes: np.ndarray | None = None  # normalised units
    step_size_label: str = ""


def head_glyphs(sim, k: int, box, reference: float, *, gradient=True, momentum=True, step_size=True,
                i: int = 0) -> HeadGlyphs | None:
    """The glyphs at run k's head from the simulation (positions, the full gradient there, the
    recorded buffers); None when the head is not a finite point."""
    t = sim.length(k) - 1
    head = sim.history.positions[t, k, i]
    if not np.isfinite(head).all():
        return None
    size = (box.width, box.height)
    out = HeadGlyphs(head=head.copy())
    spec = sim.specs[k]
    rule = rule_of(spec.optimizer)
    hyper = spec.hyperparameters()
    if gradient:
        g = sim.full_grad[k, i]
        magnitude = float(np.hypot(*g))
        tip = arrow_tip(head, -g, size, arrow_length(magnitude, reference))
        if vanishing(magnitude, reference):
            out.gradient_vanished = True
        elif tip is not None:
            out.gradient_tip, out.gradient = tip, arrow_segments(head, tip, size)
    if t == 0:
        return out  # no buffer yet
    if not (momentum or step_size):
        return out
    # What the rule shows of its state (its definition's explain): the momentum-like direction
    # (p, Adam's p̂…) and the per-axis step size per unit α.
    explained = rule.explain(Update(t=t, hyper=hyper, alpha=float(sim.history.lr[t - 1, k]),
                                    g=sim.history.grad[t - 1, k, i],
                                    buffers={b.name: sim.history.state[b.name][t, k, i] for b in rule.buffers}))
    if momentum and explained.direction is not None:
        p = explained.direction
        magnitude = float(np.hypot(*p))
        tip = arrow_tip(head, -p, size, arrow_length(magnitude, reference))
        out.momentum_label = explained.direction_label
        if vanishing(magnitude, reference):
            out.momentum_vanished = True
        elif tip is not None:
            out.momentum_tip, out.momentum = tip, arrow_segments(head, tip, size)
        else:
            out.momentum_label = ""
    if step_size and explained.per_axis is not None:
        axes = np.array([step_half_axis(float(s), reference) for s in explained.per_axis])
        out.half_axes = axes
        out.step_size = step_size_glyph(head, axes, size)
        out.step_size_label = explained.step_size_label
    return out
