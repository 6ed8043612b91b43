"""Qt drawing shared by the app and the exports: one renderer per view.

The colour maps and themes, the 3D view (``surface_*``) and what a view is given to draw
(:mod:`.inputs`). Imports optviz.core and optviz.look only, never optviz.app or optviz.export
(import-linter checks this, see pyproject.toml).
"""
