"""The data plot's title fits its plot: whole, on two lines, or cut after a whole clause."""

import pytest
from PySide6.QtWidgets import QApplication

from optviz.app.views.data_plot import DataPlot, fit_title
from optviz.core import get_surface

TITLE = "data and the model of SGD, αₜ = 0.1/(1 + 0.01·t)"


def chars(text: str) -> float:
    return 10.0 * len(text)  # a monospace stand-in: 10 px a character


def test_fit_title_forms():
    assert fit_title(TITLE, chars, 10 * len(TITLE)) == [TITLE]
    assert fit_title(TITLE, chars, 300) == ["data and the model of", "SGD, αₜ = 0.1/(1 + 0.01·t)"]
    assert fit_title(TITLE, chars, 300, two_lines=False) == ["SGD, αₜ = 0.1/(1 + 0.01·t)"]
    assert fit_title(TITLE, chars, 200) == ["SGD …"]  # after a whole clause, not inside the formula
    assert fit_title(TITLE, chars, 30) == ["SG…"]
    assert fit_title("the model of Momentum (α = 0.01, β = 0.9)", chars, 220) == ["Momentum (α = 0.01 …"]
    assert fit_title("loss", chars, 20) == ["l…"]
    for available in range(20, 600, 7):
        for line in fit_title(TITLE, chars, available):
            assert chars(line) <= available or len(line) == 2


@pytest.mark.parametrize("size, scale", [((209, 105), 1.0), ((430, 166), 1.0), ((317, 168), 1.75),
                                         ((495, 276), 1.75), ((900, 300), 1.0)])
def test_the_title_is_drawn_inside_the_plot(qtbot, size, scale):
    plot = DataPlot()
    qtbot.addWidget(plot)
    plot.set_surface(get_surface("linreg_mse"))
    plot.set_look("normal", scale)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_title(TITLE)
    for _ in range(3):
        QApplication.processEvents()
    label = plot.getPlotItem().titleLabel
    text = label.item  # the QGraphicsTextItem pyqtgraph draws
    drawn = plot.mapFromScene(text.mapToScene(text.boundingRect())).boundingRect()
    assert drawn.left() >= 0 and drawn.right() <= plot.width(), (label.text, drawn, plot.width())
    # ... and not cut at the bottom of its row: the row is as tall as the lines.
    row = plot.mapFromScene(label.sceneBoundingRect()).boundingRect()
    assert row.height() >= drawn.height() - 1
    shown = text.toPlainText()
    assert "SGD" in shown
    if shown.replace("\n", " ").replace("\u2028", " ") != TITLE:
        assert label.toolTip() == TITLE  # the whole title on hover
