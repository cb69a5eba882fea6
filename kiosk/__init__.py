"""Counter Kiosk: the walk-in counter application of a Thai government office."""

__version__ = "0.1.0"
