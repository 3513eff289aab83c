"""The API gateway: the one public entry point, routing to the services by path prefix."""
