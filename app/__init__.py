"""bckeys: an OpenAPI-first server for Bigcapital's API-key operations."""

import warnings

# Connexion imports Starlette's test client when it is imported; the notice
# that client prints says nothing to anyone running this server.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
