"""The till (caisse): sessions and their Z (closes.py), baskets and refunds (sales.py), the hash chain over
sales and closes (chain.py) and its archive (archive.py)."""
