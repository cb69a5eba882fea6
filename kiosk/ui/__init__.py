"""The counter's touch-screen application (PySide6): the only package that imports Qt widgets.

Views lay out, the controller decides; devices, database and printing run on worker threads and
their results come back as Qt signals. See docs/ui.md.
"""
