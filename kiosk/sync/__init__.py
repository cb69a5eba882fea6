"""The kiosk's side of the central server protocol: outbox out, officers' decisions in.

Imports no Qt: the worker runs on its own thread and reports through a plain callback.
"""
