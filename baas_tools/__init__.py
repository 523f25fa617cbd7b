"""Local tools around the server: the persistent local moto (`make run`) and the `baas` CLI.

Nothing here is part of the Lambda: chalice packages only app.py and chalicelib/, and the CLI's
own dependencies are in requirements-cli.txt, not requirements.txt.
"""
