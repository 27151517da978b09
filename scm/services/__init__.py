"""Business rules: the only code that writes business tables. Services flush, never commit."""
