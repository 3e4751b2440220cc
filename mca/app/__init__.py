"""The app on top: scenario composition, the pipeline, the CLI and the report writers."""
