"""Process instance migration: plans, checks, the command handler, batch operations."""
