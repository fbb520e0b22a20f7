"""Organizations, plans, roles, entitlements and the support profile."""
