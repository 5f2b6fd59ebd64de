"""The ASGI application: the edge middleware, the security step, problem
answers, the resolver, per-request state and the HTTP protocol's head cap.

Our adaptations of stock Connexion live apart, in connexion_adaptations.
"""
