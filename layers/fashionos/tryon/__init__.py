"""Virtual try-on sessions: metered on the org's Dashboard counters, launched with a token of their own."""
