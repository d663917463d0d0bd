"""Loaders turn deployment configuration files into the function model."""
