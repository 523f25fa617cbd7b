"""`python -m baas_tools` is the `baas` CLI."""

from .cli import main

main()
