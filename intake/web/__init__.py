"""The web layer's common ground: what several blueprints share lives here, below them.

Blueprints (``intake/<feature>/``) never import each other; they import from here, from the
services and from the models. Nothing here imports a blueprint.

- ``access``: who is asking (sessions, bearer tokens) and role checks;
- ``requests``: what every request and response gets;
- ``today``: the collection point a volunteer works at today;
- ``urls``: item addresses (the QR target) and safe redirects;
- ``downloads``: files sent back (PDF receipts, labels);
- ``panels``: the workshop panel shown on an item's page;
- ``settings``: settings read per request, named for their rule.
"""
