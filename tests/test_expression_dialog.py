"""File ▸ Custom function…: the echo, the plural, nothing squeezed, presentation scale."""

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from optviz.app.dialogs.expression_dialog import ExpressionDialog


def shown(dialog: ExpressionDialog, qtbot) -> ExpressionDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def settle(qtbot) -> None:
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(10)


def assert_nothing_squeezed(dialog: ExpressionDialog) -> None:
    # The line edit keeps the height its font needs (the bottom of "_", "y", "q"), and every
    # word-wrapped label has the height its text needs at its width.
    assert dialog.edit.height() >= dialog.edit.sizeHint().height()
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.text():
            assert label.height() >= label.heightForWidth(label.width()), label.text()[:40]


def test_echo_is_one_line_with_superscripts_and_the_plural_is_minima(qtbot):
    dialog = shown(ExpressionDialog("x**2 + 10*y**2 + sin(3*x)", (-4, 4, -4, 4)), qtbot)
    assert dialog.check()
    text = dialog.message.text()
    assert "f(x, y) = x² + 10·y² + sin(3·x)" in text
    # x² + sin(3x) has two minima in [-4, 4]: sin(3x) = -2x/3 at x ≈ -0.43 and x ≈ 1.5, with
    # 2 + 9·(-sin 3x) > 0 there (checked by hand: f'' = 2 - 9 sin(3x)).
    assert "2 minima found" in text and "minimums" not in text
    dialog.edit.setText("x**2 + y**2")
    assert dialog.check() and "1 minimum found" in dialog.message.text()


@pytest.mark.parametrize("text", ["x_1**2 + 10*y**2 + sin(3*x)", "x**2 + 10*y**2 + sin(3*x)",
                                  "sqrt(x^2 + y^2 + 1) + exp(-x^2/2)/(1 + y^2) + x^(y + 1)"])
@pytest.mark.parametrize("scale", [1.0, 1.75])
def test_nothing_is_squeezed_after_a_check(qtbot, text, scale):
    dialog = shown(ExpressionDialog(text, (-4, 4, -4, 4), scale=scale), qtbot)
    dialog.check()
    settle(qtbot)
    assert_nothing_squeezed(dialog)
    dialog.resize(dialog.width() // 2 + 200, dialog.height())  # narrower: the labels wrap more
    settle(qtbot)
    assert_nothing_squeezed(dialog)


def test_the_dialog_takes_the_scale_it_is_given_and_reads_nothing_from_its_parent(qtbot):
    class Model:  # what the dialog once looked up on its parent window
        scale = 2.5

    window = QWidget()
    window.model = Model()
    qtbot.addWidget(window)
    plain = ExpressionDialog("x**2")
    qtbot.addWidget(plain)
    dialog = ExpressionDialog("x**2", parent=window, scale=1.75)
    unscaled = ExpressionDialog("x**2", parent=window)
    for scaled, same, design in ((dialog.edit, unscaled.edit, plain.edit),
                                 (dialog.message, unscaled.message, plain.message),
                                 (dialog.boxes["xmin"], unscaled.boxes["xmin"], plain.boxes["xmin"])):
        assert scaled.font().pointSizeF() == pytest.approx(1.75 * design.font().pointSizeF())
        assert same.font().pointSizeF() == pytest.approx(design.font().pointSizeF())
