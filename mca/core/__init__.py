"""The floor every stage stands on: errors, sectors, the shared vocabulary, JSON and CSV.

Nothing here imports a stage, the input edge or the app (see docs/architecture.md).
"""
