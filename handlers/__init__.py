"""Request handlers: one module per spec controller, found by app.web.resolver."""
