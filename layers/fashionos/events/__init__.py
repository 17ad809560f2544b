"""Partner events: what happened to an org's objects, recorded with the change that caused it (the outbox)
and kept 30 days; webhooks deliver them."""
