"""HTTP layer: thin routes over the billing services."""
