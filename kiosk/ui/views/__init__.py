"""Views: layout and styling only. They emit what the person asked for; the controller decides."""
