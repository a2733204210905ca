"""Settings, middleware and in-memory limits of the web application."""
