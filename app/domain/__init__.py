"""What the product is, with no HTTP in it: the key format, JWTs, API keys
and who may use them, accounts, audit events, and the error vocabulary.

It reads and writes through app.storage's Database and models; it never
builds an engine and never imports app.web.
"""
