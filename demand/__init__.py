"""demand package."""
