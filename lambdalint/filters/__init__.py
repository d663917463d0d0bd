"""What happens to findings after the rules: suppressions (inline comments, template metadata,
per-file-ignores) and baselines."""
