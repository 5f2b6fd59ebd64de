"""bckeys: an OpenAPI-first server for Bigcapital's API-key operations."""
