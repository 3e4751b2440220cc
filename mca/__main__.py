from mca.cli import app
app()
