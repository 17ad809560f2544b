"""Affiliate links: registered destination domains, links and their short codes, the public redirect that
counts clicks, and the conversions attributed to them."""
