"""Terraform: source files in HCL and JSON syntax with their module folder (files.py), plans
(plan.py), both built into Functions by build.py, functions.py and modules.py."""
