"""What the two Parse-style dialects (BEA at `/bea`, Parse at `/parse`) share: the `__type`
codec, the `where` compiler, the atomic operators and the Parse error codes.

Both dialects import from here and never from each other (import-linter's independence contract),
so an object written through one reads the same through the other, operator for operator.
"""
