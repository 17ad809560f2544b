"""The Dashboard Integration API's HTTP layer: request checks, handshake, errors in its format."""
