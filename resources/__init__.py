"""Data shipped with optviz (icons, themes, scenarios). Not code; see optviz.paths."""
