"""Partner identity: OAuth 2.0 access tokens (RFC 9068 JWTs) and the keys that sign them."""
