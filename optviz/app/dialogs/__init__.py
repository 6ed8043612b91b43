"""Dialogs: exports, the custom-function dialog, opening and saving scenarios."""
