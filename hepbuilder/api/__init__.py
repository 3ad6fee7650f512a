"""JSON API v1 layer (/api/v1): thin adapters over services, bearer-token auth."""
