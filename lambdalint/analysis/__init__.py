"""Facts about handler source code, from parsing only (never importing or running it)."""
