"""Widgets of the main view: plan tree, action log, activity line, prompt, status bar."""
