"""The basins dock in the app: coarse then fine maps equal to compute_basins, cancel, cache,
overlay on the contour view, PNG export, live recompute."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from optviz.app.analysis.basins import COARSE
from optviz.app.analysis.basins_view import label_image
from optviz.app.window.main_window import MainWindow
from optviz.core import basins_compiled
from optviz.core.basins import compute_basins


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(preset="himmelblau", optimizers=["gd", "adam"], restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.basins.dock is not None:
        w.basins.dock.cancel()
        w.basins.dock.worker.wait()


def _open(window, qtbot, resolution=128, steps=200):
    window.basins.action.trigger()
    dock = window.basins.dock
    assert dock is not None and dock.isVisible()
    dock.steps_spin.setValue(steps)
    dock.res_combo.setCurrentIndex(dock.res_combo.findData(resolution))
    _settle(dock, qtbot)
    return dock


def _settle(dock, qtbot, timeout=60000):
    qtbot.waitUntil(lambda: not dock._timer.isActive() and not dock.busy and dock.results
                    and all(r.resolution == dock.fine_resolution for r in dock.results.values()), timeout=timeout)


def _reference(window, k, resolution, steps):
    run = window.model.runs[k]
    surface = window.controller.surface
    return compute_basins(surface, run.spec, surface.view, resolution=resolution, steps=steps,
                          seed=window.model.seed, noise_scale=window.model.noise_scale, backend="numpy")


def test_action_is_in_the_analysis_menu_with_ctrl_b(window):
    action = window.basins.action
    assert action in window.analysis_menu.actions()
    assert action.shortcut().toString() == "Ctrl+B"
    assert window.basins.dock is None  # nothing built (or compiled) before it is asked for


def test_dock_shows_coarse_then_fine_maps_equal_to_compute_basins(window, qtbot):
    window.basins.action.trigger()
    dock = window.basins.dock
    seen = []
    dock.updated.connect(lambda: seen.append({k: r.resolution for k, r in dock.results.items()}))
    dock.steps_spin.setValue(150)
    dock.res_combo.setCurrentIndex(dock.res_combo.findData(128))
    _settle(dock, qtbot)
    assert any(COARSE in shown.values() for shown in seen)  # a coarse map was on screen first
    assert set(dock.results) == {0, 1}
    for k, result in dock.results.items():
        ref = _reference(window, k, 128, 150)
        np.testing.assert_array_equal(result.labels, ref.labels)
        np.testing.assert_array_equal(dock.figure.images[k].image, label_image(ref.labels))  # what is drawn
    # What is drawn is the labels' colouring, and titles name the runs.
    assert len(dock.figure.plots) == 2
    assert "GD" in dock.figure.plots[0].titleLabel.text and "Adam" in dock.figure.plots[1].titleLabel.text
    legend = dock.figure.legend.text
    for k, m in enumerate(window.controller.surface.minima):
        assert f"min {k + 1}" in legend
    if basins_compiled.available():
        assert dock.backend_label.text().startswith("Compiled kernel")


def test_cache_avoids_recomputation(window, qtbot):
    dock = _open(window, qtbot, resolution=64, steps=120)
    computed = dock.computations
    shown = dict(dock.results)
    lr = window.model.runs[1].learning_rate
    window.model.runs[1].learning_rate = lr * 2
    _settle(dock, qtbot)
    assert dock.computations == computed + 1  # only the changed run
    window.model.runs[1].learning_rate = lr
    _settle(dock, qtbot)
    assert dock.computations == computed + 1  # back to a cached α: nothing computed
    assert dock.results[1] is shown[1] and dock.results[0] is shown[0]


def test_live_recompute_after_changing_a_learning_rate(window, qtbot):
    dock = _open(window, qtbot, resolution=64, steps=120)
    before = dock.results[0]
    window.model.runs[0].learning_rate = 0.05  # GD with a large α on Himmelblau
    qtbot.waitUntil(lambda: dock.results[0] is not before and not dock.busy, timeout=60000)
    _settle(dock, qtbot)
    ref = _reference(window, 0, 64, 120)
    np.testing.assert_array_equal(dock.results[0].labels, ref.labels)
    assert dock.results[0].settings.spec.hyper["learning_rate"] == 0.05


def test_cancel_keeps_the_previous_maps(window, qtbot, monkeypatch):
    dock = _open(window, qtbot, resolution=64, steps=120)
    before = dict(dock.results)
    # A slow computation to cancel: the NumPy path at 256 × 256 and many steps.
    from optviz.app.analysis import basins_worker as app_basins

    real = app_basins.compute_basins
    monkeypatch.setattr(app_basins, "compute_basins", lambda *a, **k: real(*a, **{**k, "backend": "numpy"}))
    dock.live_check.setChecked(False)
    dock.steps_spin.setValue(5000)
    dock.res_combo.setCurrentIndex(dock.res_combo.findData(256))
    dock.recompute()
    assert dock.busy and dock.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dock.progress.value() > 0 or any(r.resolution == COARSE and r.settings.steps == 5000
                                                               for r in dock.results.values()), timeout=60000)
    dock.cancel_button.click()
    qtbot.waitUntil(lambda: not dock.busy and not dock.cancel_button.isEnabled(), timeout=60000)
    assert dock.results == before  # exactly the maps from before, no half-done state
    assert "Cancelled" in dock.status.text()
    assert len(dock.figure.images) == 2
    # And it still works.
    monkeypatch.undo()
    dock.steps_spin.setValue(120)
    dock.res_combo.setCurrentIndex(dock.res_combo.findData(64))
    dock.recompute()
    _settle(dock, qtbot)
    assert dock.results[0] is before[0]


def test_overlay_appears_on_the_contour_view_and_goes(window, qtbot):
    dock = _open(window, qtbot, resolution=64, steps=120)
    view_box = window.contour.view_box
    assert dock.overlay is None
    dock.overlay_check.setChecked(True)
    assert dock.overlay is not None and dock.overlay.getViewBox() is view_box
    assert dock.overlay.scene() is window.contour.scene()
    assert 0 < dock.overlay.opacity() < 1
    selected = window.model.selected
    assert dock.overlay.result is dock.results[selected]
    window.model.selected = 1 - selected
    assert dock.overlay.result is dock.results[1 - selected]
    overlay = dock.overlay
    dock.overlay_check.setChecked(False)
    assert dock.overlay is None and overlay.scene() is None


def test_png_export_writes_the_requested_size_and_refuses_bad_paths(window, qtbot, tmp_path):
    dock = _open(window, qtbot, resolution=64, steps=120)
    def message():  # the dock's show_message is the window's: it writes in the status bar
        return window.statusBar().currentMessage()

    out = dock.export_png(tmp_path / "basins.png", 1280, 720)
    assert out is not None
    with Image.open(out) as img:
        assert img.size == (1280, 720) and img.format == "PNG"
        colors = np.asarray(img.convert("RGB")).reshape(-1, 3)
    # The minimum colours are in the picture.
    assert (np.abs(colors.astype(int) - (0x77, 0xAA, 0xDD)).sum(axis=1) < 10).sum() > 1000
    missing = tmp_path / "no such folder" / "basins.png"
    assert dock.export_png(missing, 1280, 720) is None
    assert not missing.exists() and "does not exist" in message()
    assert dock.export_png(tmp_path / "basins.jpg", 1280, 720) is None
    assert "PNG" in message() and not (tmp_path / "basins.jpg").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


# ------------------------------------------------------------------------------ issue 10


def _maps_settled(dock, qtbot, surface):
    """Wait until every map shows the surface's view box at its true aspect."""
    box = surface.view
    aspect = box.width / box.height

    def settled():
        plots = dock.figure.plots
        if not plots:
            return False
        for plot in plots:
            vb = plot.getViewBox()
            if abs(vb.width() - vb.height() * aspect) > 1.0:
                return False
        return True

    qtbot.waitUntil(settled, timeout=5000)


@pytest.mark.parametrize("preset", ["himmelblau", "six_hump_camel"])
def test_every_map_shows_the_surfaces_view_box_on_identical_axes(window, qtbot, preset):
    window.model.preset = preset
    m = window.model
    for key in ("momentum", "rmsprop"):
        m.add_run(key)
    dock = _open(window, qtbot, resolution=64, steps=50)
    surface = window.controller.surface
    box = surface.view
    for size in ((1500, 640), (1000, 700), (1700, 420)):
        dock.resize(*size)
        _maps_settled(dock, qtbot, surface)
        plots = dock.figure.plots
        assert len(plots) == sum(r.visible for r in m.runs) >= 4
        sizes = set()
        for plot in plots:
            (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
            np.testing.assert_allclose([x0, x1, y0, y1], [box.xmin, box.xmax, box.ymin, box.ymax], atol=1e-9)
            vb = plot.getViewBox()
            sizes.add((round(vb.width()), round(vb.height())))
            # The same ticks on every map.
            ticks = [plot.getAxis(name).tickValues(*plot.getViewBox().viewRange()[j],
                                                   vb.width() if j == 0 else vb.height())
                     for j, name in enumerate(("bottom", "left"))]
            if plot is plots[0]:
                first_ticks = ticks
            assert repr(ticks) == repr(first_ticks)
        assert len(sizes) == 1, sizes  # every map the same size in pixels
        # The maps fill the view: the figure is not a strip in the middle.
        width, height = sizes.pop()
        assert width >= 0.2 * dock.view.width() / dock._columns or height >= 0.45 * dock.view.height()


def test_set_look_scales_the_maps_text_and_uses_the_theme(window, qtbot):
    dock = _open(window, qtbot, resolution=64, steps=50)

    def sizes():
        plot = dock.figure.plots[0]
        return (plot.getAxis("left").style["tickFont"].pointSizeF(), dock.figure.point_size,
                plot.getAxis("left").pen().widthF())

    before = sizes()
    size_before = dock.size()
    dock.set_look("projector", 1.75)
    after = sizes()
    assert after[0] == pytest.approx(1.75 * before[0]) and after[1] == pytest.approx(1.75 * before[1])
    assert after[2] == pytest.approx(1.5 * 1.75)  # the projector's axis width, scaled
    plot = dock.figure.plots[0]
    assert plot.getAxis("left").textPen().color().name() == "#000000"
    assert "font-size:18pt" in dock.figure.legend.text.replace(" ", "")  # 10 pt × 1.75, rounded
    _maps_settled(dock, qtbot, window.controller.surface)
    dock.set_look("normal", 1.0)
    assert sizes() == pytest.approx(before) and dock.size() == size_before
