"""lambdalint: a static linter and policy checker for AWS Lambda projects."""

__version__ = "0.2.0"
