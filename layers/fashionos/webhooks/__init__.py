"""Partner webhooks: subscriptions, signed delivery (Standard Webhooks), SSRF-safe endpoint URLs."""
