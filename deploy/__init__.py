"""Deploy tooling (never packaged into the Lambda): templates from the models, `make package`."""
