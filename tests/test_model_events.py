"""The model's events (optviz.app.window.model.Events): names are checked, bound methods are held
weakly, a widget's connections end with the widget, and a connection can be undone."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget

from optviz.app.window.model import RaceModel


def test_an_unknown_event_name_is_refused_at_once():
    model = RaceModel("rosenbrock", optimizers=["gd"])
    with pytest.raises(ValueError, match="no event 'learning_rat'"):
        model.events.connect("learning_rat", print)
    with pytest.raises(ValueError, match="no event"):
        model.runs[0].events.connect("presentation", print)


def test_a_bound_method_is_held_weakly_and_a_gone_listener_is_not_called():
    model = RaceModel("rosenbrock", optimizers=["gd"])
    calls = []

    class Listener:
        def on_seed(self, value):
            calls.append(value)

    listener = Listener()
    model.events.connect("seed", listener.on_seed)
    model.seed = 1
    before = model.events.listeners("seed")
    del listener
    gc.collect()
    model.seed = 2
    assert calls == [1]
    assert model.events.listeners("seed") == before - 1


def test_a_widget_s_closures_are_disconnected_when_qt_destroys_it(qapp):
    model = RaceModel("rosenbrock", optimizers=["gd"])
    calls = []
    widget = QWidget()
    model.events.connect("seed", lambda value: calls.append((widget.objectName(), value)), owner=widget)
    model.seed = 3
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    model.seed = 4  # the closure would call into a deleted widget: RuntimeError
    assert calls == [("", 3)]


def test_a_connection_can_be_undone_and_star_sees_every_event():
    model = RaceModel("rosenbrock", optimizers=["gd"])
    seen, everything = [], []
    connection = model.events.connect("seed", seen.append)
    model.events.connect("*", everything.append)
    model.seed = 5
    connection.disconnect()
    connection.disconnect()  # twice is harmless
    model.seed = 6
    assert seen == [5]
    assert ("seed", 5) in everything and ("seed", 6) in everything


def test_a_closed_timeline_bar_no_longer_listens(qtbot):
    """A real widget: the timeline bar listens to the model through a closure owned by it."""
    from optviz.app.window.controller import RaceController
    from optviz.app.panels.timeline import TimelineBar

    model = RaceModel("rosenbrock", optimizers=["gd"])
    controller = RaceController(model)
    before = model.playback.events.listeners("timeline")
    bar = TimelineBar(model, controller)
    assert model.playback.events.listeners("timeline") == before + 1
    bar.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert model.playback.events.listeners("timeline") == before
    model.playback.timeline = None  # nothing calls into the deleted bar
