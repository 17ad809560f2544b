"""Partner commerce: storefronts, their product listings, inventory per sellable sku, and orders that
reserve and consume that inventory."""
