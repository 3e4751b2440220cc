from mca.app.cli import app

app()
