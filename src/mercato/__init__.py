"""Mercato: an e-commerce platform built as Python microservices."""

__version__ = "0.1.0"
