"""The Textual app (`lamtui` with no command). The only package that imports textual.

Entry point: `lamtui.ui.app.run_app(args)`; `python -m lamtui.ui` launches it directly.
Nothing is imported here so that `import lamtui.ui` stays cheap.
"""
