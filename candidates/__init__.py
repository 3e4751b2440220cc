"""candidates package."""
