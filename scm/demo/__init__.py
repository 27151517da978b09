"""Demo data for `flask scm seed-demo`, one module per area (core: users, items, warehouses, demand)."""
