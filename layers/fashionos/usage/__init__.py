"""Usage metering for the Dashboard: try-on, API-key call and product counters, plans and soft limits."""
