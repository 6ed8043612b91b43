"""The live update rule of the selected run, in the lecture's notation, with its numbers.

:func:`update_numbers` reads the last update of run k from the simulation's recorded history
(nothing is recomputed by stepping): with t = ``sim.length(k) − 1`` updates done,

* gₜ = ``history.grad[t − 1]``: the gradient the t-th update used (stochastic for SGD),
* αₜ = ``history.lr[t − 1]``: its learning rate (a schedule may change it),
* pₜ, rₜ = ``history.state["p" | "r"][t]``: the buffers after t updates (pₜ₋₁, rₜ₋₁ at t − 1),
* ΔW = ``positions[t] − positions[t − 1]``: the step actually taken,

and derives what the lecture writes on the slide from them and the run's hyperparameters:
Adam's bias-corrected p̂ₜ = pₜ/(1 − ρ₁ᵗ), r̂ₜ = rₜ/(1 − ρ₂ᵗ) and the per-axis step sizes
α/(ε + √rₜ) (AdaGrad, RMSProp) or α/(√r̂ₜ + ε) (Adam). The formulas are those of
:mod:`optviz.core.optimizers` (torch's conventions: the momentum buffer starts at p₁ = g₁,
ε outside the square root, no bias correction in RMSProp).

:func:`render_html` turns them into Qt rich text (sub/superscripts, Greek letters, no
images); :class:`EquationsPanel` shows it for the model's selected run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF, QGuiApplication, QTextDocument
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser

from ...core.optimizers import OPTIMIZERS, Explained, Html, Update, rule_of
from ...look import marker_glyph
from ..window.view_prefs import display_color

#: Point size of the equations in the normal look; presentation mode multiplies it by ui_scale.
BASE_POINT_SIZE = 12.5
#: The panel may shrink its type to this share of its size to show the whole rule.
MIN_FIT = 0.7
#: Significant digits of the numbers filled in.
DIGITS = 4

MINUS = "\u2212"


@dataclass
class UpdateNumbers:
    """The numbers of run k's last update (None where the optimizer has no such quantity or no
    update was taken yet, t = 0). Vectors are (2,) arrays over the two coordinates of W."""

    key: str  # the race entry, e.g. "adam"
    kind: str  # the update rule's key (optviz.core.optimizers.RULES): "sgd", "momentum", … "nadam"
    title: str
    t: int  # updates done
    hyper: dict  # the run's hyperparameters (α is the constant, see ``alpha`` for αₜ)
    scheduled: bool  # α follows a schedule
    batch: int  # B
    n: int  # samples behind the loss
    W: np.ndarray  # the current point Wₜ (after t updates)
    loss: float  # J(W) there
    alpha: float | None = None  # αₜ used by update t
    g: np.ndarray | None = None
    p: np.ndarray | None = None
    p_prev: np.ndarray | None = None
    r: np.ndarray | None = None
    r_prev: np.ndarray | None = None
    p_hat: np.ndarray | None = None  # Adam's family
    r_hat: np.ndarray | None = None  # Adam's family
    bias1: float | None = None  # Adam's family: 1 − ρ₁ᵗ
    bias2: float | None = None  # Adam's family: 1 − ρ₂ᵗ
    step_size: np.ndarray | None = None  # adaptive methods: per-axis α/(ε + √r) (Adam: α/(√r̂ + ε))
    step: np.ndarray | None = None  # ΔW = W_t − W_{t−1}, as recorded
    extra: dict = field(default_factory=dict)
    update: Update | None = None  # the update as the rule's definition reads it
    explained: Explained | None = None  # what the rule derives from it (Rule.explain)


def rule_kind(key: str) -> str:
    """The update rule behind a race entry (GD, SGD and mini-batch are all "sgd")."""
    return rule_of(key).key


def update_numbers(sim, k: int, i: int = 0) -> UpdateNumbers:
    """The last update of run ``k`` (start point ``i``), read from ``sim.history``; what the
    rule derives from it (p̂, r̂, step sizes…) comes from its definition (``Rule.explain``)."""
    h = sim.history
    if h is None:
        raise RuntimeError("the equations need a simulation that records its history")
    spec = sim.specs[k]
    key = spec.optimizer
    rule = rule_of(key)
    hyper = spec.hyperparameters()
    t = sim.length(k) - 1
    scheduled = not (spec.schedule == "constant" and not spec.schedule_params)
    out = UpdateNumbers(key=key, kind=rule.key, title=spec.title, t=t, hyper=hyper, scheduled=scheduled,
                        batch=spec.effective_batch_size(sim.risk.n), n=int(sim.risk.n),
                        W=h.positions[t, k, i].copy(), loss=float(h.loss[t, k, i]))
    if t == 0:
        return out
    state = h.state
    out.alpha = float(h.lr[t - 1, k])
    out.g = h.grad[t - 1, k, i].copy()
    out.step = h.positions[t, k, i] - h.positions[t - 1, k, i]
    update = Update(t=t, hyper=hyper, alpha=out.alpha, g=out.g, step=out.step,
                    buffers={b.name: state[b.name][t, k, i].copy() for b in rule.buffers},
                    previous={b.name: state[b.name][t - 1, k, i].copy() for b in rule.buffers})
    out.update = update
    out.p, out.p_prev = update.buffers.get("p"), update.previous.get("p")
    out.r, out.r_prev = update.buffers.get("r"), update.previous.get("r")
    out.explained = rule.explain(update)
    values = out.explained.values
    out.p_hat, out.r_hat = values.get("p_hat"), values.get("r_hat")
    out.bias1, out.bias2 = values.get("bias1"), values.get("bias2")
    out.step_size = out.explained.step_size
    return out


# --------------------------------------------------------------------------- formatting


def format_number(value: float, digits: int = DIGITS) -> str:
    """``digits`` significant digits, a real minus sign, and ×10ⁿ for very small or large
    values (rich text): ``−1.234``, ``0.05600`` → ``0.056``, ``3.2×10<sup>−5</sup>``."""
    if value is None:
        return "—"
    v = float(value)
    if math.isnan(v):
        return "—"
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e5:
        text = f"{v:.{digits}g}"
    else:
        mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}×10<sup>{int(exponent)}</sup>"
    return text.replace("-", MINUS)


#: A component smaller than this fraction of its vector's largest one is shown as 0: at 10⁻¹²
#: of its partner it is below what the partner's float carries, and "8.8×10⁻⁷⁷" next to
#: "−0.0197" only hides that the step is along one axis.
NEGLIGIBLE = 1e-12


def format_vector(v) -> str:
    """A 2-vector as ``(a, b)``; a negligible component (see NEGLIGIBLE) reads 0."""
    if v is None:
        return "—"
    a, b = (float(x) for x in np.asarray(v, dtype=float).ravel()[:2])
    largest = max(abs(a), abs(b)) if math.isfinite(a) and math.isfinite(b) else 0.0
    a, b = (0.0 if largest > 0 and abs(c) < NEGLIGIBLE * largest else c for c in (a, b))
    return f"({format_number(a)}, {format_number(b)})"


def _sub(symbol: str, index) -> str:
    return f"{symbol}<sub>{index}</sub>"


def hat_html(symbol: str, font: QFont | None = None) -> str:
    """``symbol`` with a hat (p̂, r̂) in Qt rich text at ``font``'s size.

    Qt's text layout misplaces combining marks (U+0302 lands on another line), so the hat is
    the modifier letter ˆ pulled back over the letter by a negative letter-spacing, computed
    from the font's metrics so it stays centred at any scale."""
    if QGuiApplication.instance() is None:  # no font database (a script): DejaVu Sans' proportions
        size = (font.pointSizeF() if font is not None else BASE_POINT_SIZE) * 96 / 72
        shift = 0.57 * size
    else:
        metrics = QFontMetricsF(font if font is not None else _default_font())
        shift = 0.5 * (metrics.horizontalAdvance(symbol) + metrics.horizontalAdvance("ˆ"))
    return f"<span style='letter-spacing:{-shift:.1f}px'>{symbol}</span>ˆ"


def _default_font() -> QFont:
    font = QFont()
    font.setPointSizeF(BASE_POINT_SIZE)
    return font


class _RichText(Html):
    """The rows' text helpers: the panel's number format and hats measured in its font."""

    def __init__(self, font: QFont | None) -> None:
        self.font = font

    def hat(self, symbol: str) -> str:
        return hat_html(symbol, self.font)

    def number(self, value) -> str:
        return format_number(value)

    def vector(self, value) -> str:
        return format_vector(value)


def _gradient_source(nums: UpdateNumbers) -> tuple[str, str]:
    """What gₜ is (formula) and the batch it came from (note)."""
    b, n = nums.batch, nums.n
    if b >= n:
        return "∇J(W)", f"full batch, B = n = {n}"
    if b == 1:
        return "∇ℓ<sup>(i)</sup>(W)", f"one sample i, B = 1 of n = {n}"
    return "(1/B) Σ<sub>i∈batch</sub> ∇ℓ<sup>(i)</sup>(W)", f"mini-batch, B = {b} of n = {n}"


def rows(nums: UpdateNumbers, font: QFont | None = None) -> list[tuple[str, str, str]]:
    """(formula, value, note) rows of the update, in the lecture's order (``font``: the one
    they are shown in, for the hats)."""
    t = nums.t
    out: list[tuple[str, str, str]] = []
    if t == 0:
        return out
    source, batch_note = _gradient_source(nums)
    g = _sub("g", t)
    out.append((f"{g} = {source}", format_vector(nums.g), batch_note))
    alpha = _sub("α", t) if nums.scheduled else "α"
    rule = rule_of(nums.key)
    update = nums.update if nums.update is not None else _update_of(nums)
    explained = nums.explained if nums.explained is not None else rule.explain(update)
    body = rule.rows(update, explained, _RichText(font), alpha, g)
    if not body:  # a half-defined rule says so rather than showing nothing
        body = [(f"{rule.title} defines no update-rule rows", "", "see docs/adding-an-optimizer.md")]
    out.extend(body)
    return out


def _update_of(nums: UpdateNumbers) -> Update:
    """The rule's view of numbers filled in by hand (``p``, ``r`` and their previous values)."""
    buffers = {name: value for name, value in (("p", nums.p), ("r", nums.r)) if value is not None}
    previous = {name: value for name, value in (("p", nums.p_prev), ("r", nums.r_prev)) if value is not None}
    return Update(t=nums.t, hyper=nums.hyper, alpha=nums.alpha, g=nums.g, step=nums.step, buffers=buffers,
                  previous=previous)


def _hyper_line(nums: UpdateNumbers) -> str:
    parts = []
    if nums.scheduled:
        parts.append(f"{_sub('α', nums.t)} = {format_number(nums.alpha)}" if nums.alpha is not None
                     else f"α<sub>0</sub> = {format_number(nums.hyper['learning_rate'])}")
    else:
        parts.append(f"α = {format_number(nums.hyper['learning_rate'])}")
    for h in rule_of(nums.key).hyper[1:]:
        if h.name in nums.hyper:
            parts.append(f"{h.html} = {format_number(nums.hyper[h.name])}")
    return "&nbsp;&nbsp; ".join(f"<span style='white-space:nowrap'>{part}</span>" for part in parts)


def render_html(nums: UpdateNumbers, color: str = "#000000", text_color: str = "#1e2228",
                note_color: str = "#5a6270", font: QFont | None = None, glyph: str = "■") -> str:
    """Qt rich text of the update ``nums``: a title in the run's colour, the hyperparameters,
    then each formula with its value on the line below (aligned-derivation style, so the panel
    stays narrow beside the views), and the current point."""
    # Where the line wraps, the separator stays with the title: "· update t" never starts a line.
    head = (f"<span style='color:{color}'>{glyph}</span> <b>{nums.title}</b>&nbsp;·"
            f" <span style='white-space:nowrap'>update <b>t = {nums.t}</b></span>")
    parts = [f"<div style='color:{text_color}'>", f"<p style='margin-bottom:2px'>{head}</p>",
             f"<p style='margin-top:0px; margin-bottom:6px; color:{note_color}'>{_hyper_line(nums)}</p>",
             "<table cellspacing='0' cellpadding='1'>"]
    body = rows(nums, font)
    if not body:
        parts.append(f"<tr><td style='color:{note_color}'>no update yet: press → to take one step</td></tr>")
    w_label = _sub("W", nums.t)
    body = body + ([(f"{w_label} = {_sub('W', nums.t - 1)} + ΔW", format_vector(nums.W),
                     f"J = {format_number(nums.loss)}")] if nums.t
                   else [(w_label, format_vector(nums.W), f"the start point, J = {format_number(nums.loss)}")])
    for formula, value, note in body:
        parts.append(f"<tr><td style='white-space:nowrap; padding-top:5px'>{formula}</td></tr>")
        # Numbers stay whole, but a narrow panel (presentation scale) may break after a comma.
        value = "<span style='white-space:nowrap'>" + value.replace(", ", ",</span> <span style='white-space:nowrap'>") + "</span>"
        parts.append(f"<tr><td>&nbsp;&nbsp;&nbsp;&nbsp;= <b>{value}</b></td></tr>")
        if note:
            parts.append(f"<tr><td style='color:{note_color}'>&nbsp;&nbsp;&nbsp;&nbsp;{note}</td></tr>")
    parts.append("</table></div>")
    return "".join(parts)


# --------------------------------------------------------------------------- the panel

_V = np.array([-0.01234, -0.05678])
#: A wide update for measuring: Adam at t = 100 with five-character numbers.
_SAMPLE = UpdateNumbers(key="adam", kind="adam", title="Adam", t=100, hyper=dict(OPTIMIZERS["adam"].defaults),
                        scheduled=False, batch=64, n=64, W=_V, loss=-0.01234, alpha=0.05, g=_V, p=_V, p_prev=_V,
                        r=_V, r_prev=_V, p_hat=_V, r_hat=_V, bias1=0.1234, bias2=0.1234, step_size=_V, step=_V)


class EquationsPanel(QTextBrowser):
    """The selected run's update rule with the current numbers (rich text).

    Args:
        model: the RaceModel (``selected``, ``runs``, ``theme``).

    Methods:
        update_runs(sim): show the selected run's last update in ``sim``; cheap when unchanged.
        set_look(theme, scale): colours of ``theme`` and BASE_POINT_SIZE × ``scale`` points.
    """

    def __init__(self, model, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("equations")
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._sim = None
        self._html = ""
        self._text_color, self._note_color = "#1e2228", "#5a6270"
        self.set_look("normal", 1.0)
        model.events.connect("selected", lambda _: self.refresh())
        model.events.connect("run", lambda _: self.refresh())

    def set_look(self, theme: str, scale: float) -> None:
        self._point_size = BASE_POINT_SIZE * float(scale)
        self._fit = 1.0
        self._apply_size()
        if theme == "projector":
            self._text_color, self._note_color = "#000000", "#3c424c"
        else:
            self._text_color, self._note_color = "#1e2228", "#5a6270"
        self._html = ""
        self.refresh()

    def preferred_width(self) -> int:
        """Pixels that show Adam's formulas at t = 100 (the widest there are) without wrapping,
        at the current font. Values may break after their comma, so they do not count."""
        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        nums = _SAMPLE
        formulas = [formula for formula, _, _ in rows(nums, self.font())]
        notes = [note for _, _, note in rows(nums, self.font()) if note]
        title = f"■ <b>{nums.title}</b>&nbsp;·&nbsp; update <b>t = {nums.t}</b>"
        hyper = _hyper_line(nums).split("&nbsp;&nbsp; ")  # the parts may wrap between them
        value = "&nbsp;&nbsp;&nbsp;&nbsp;= <b>(" + format_number(-0.01234) + ",</b>"
        widest = 0.0
        for text in [title, *hyper, *formulas, *notes, value]:
            doc.setHtml(f"<span style='white-space:nowrap'>{text}</span>")
            widest = max(widest, doc.idealWidth())
        return int(widest + 2 * doc.documentMargin() + self.verticalScrollBar().sizeHint().width() + 12)

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setWidth(self.preferred_width())
        return hint

    def update_runs(self, sim) -> None:
        self._sim = sim
        self.refresh()

    def numbers(self) -> UpdateNumbers | None:
        sim = self._sim
        if sim is None or sim.history is None or not self.model.runs:
            return None
        k = min(self.model.selected, sim.K - 1)
        return update_numbers(sim, k)

    def refresh(self) -> None:
        try:
            nums = self.numbers()
        except (IndexError, KeyError):  # the simulation is being rebuilt for other runs
            return
        if nums is None:
            return
        k = min(self.model.selected, len(self.model.runs) - 1)
        color = display_color(self.model.runs[k].color, self.model.view.theme)
        self._nums, self._color = nums, color
        self._glyph = marker_glyph(getattr(self.model.runs[k], "marker", "o"))  # the run's head marker
        self._render()
        self._fit_height()

    def _render(self) -> None:
        html = render_html(self._nums, self._color, self._text_color, self._note_color, self.font(), self._glyph)
        if html != self._html:
            self._html = html
            self.setHtml(html)

    def _apply_size(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(self._point_size * self._fit)
        self.setFont(font)
        self.document().setDefaultFont(font)
        self._html = ""

    def _overflows(self) -> bool:
        viewport = self.viewport()
        doc = self.document()
        return doc.size().height() > viewport.height() + 1 or doc.idealWidth() > viewport.width() + 1

    def _fit_height(self) -> None:
        """Shrink the type (down to MIN_FIT of its size) while the rule is taller or wider than
        the panel, and grow it back when there is room: Adam's seven rows must show whole, with
        no scroll bar, on a 720-line projector too."""
        if getattr(self, "_nums", None) is None or self.viewport().height() <= 0:
            return
        if self._overflows():
            while self._fit > MIN_FIT and self._overflows():
                self._fit = max(self._fit * 0.92, MIN_FIT)
                self._apply_size()
                self._render()
        elif self._fit < 1.0:
            trial = min(self._fit / 0.92, 1.0)
            doc = self.document().clone()
            font = QFont(self.font())
            font.setPointSizeF(self._point_size * trial)
            doc.setDefaultFont(font)
            doc.setHtml(render_html(self._nums, self._color, self._text_color, self._note_color, font, self._glyph))
            doc.setTextWidth(self.viewport().width())
            if doc.size().height() <= self.viewport().height() * 0.97:
                self._fit = trial
                self._apply_size()
                self._render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()
