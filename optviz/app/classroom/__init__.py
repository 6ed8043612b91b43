"""Classroom features: presentation mode and its strip, the note banner, the shortcut sheet."""
