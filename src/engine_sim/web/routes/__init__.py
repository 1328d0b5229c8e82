"""The routes, one module per screen."""
