"""The products service: catalog, search, inventory reservations."""
