"""The main window and what holds it together: its model, the controller that drives the race, the session, the dock arrangement, background tasks, UI scale and the layout audit."""
