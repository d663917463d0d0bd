"""Python checks named by the rule files in `rules/` (`check: module.function`)."""
