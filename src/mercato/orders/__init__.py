"""The orders service: orders, their checkout saga and their status."""
