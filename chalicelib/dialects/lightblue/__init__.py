"""The Lightblue dialect (seed 004); `api` registers its routes (kept out of this package's import,
so the error renderer app.py needs does not import the whole dialect)."""
