"""`python -m lambdalint`: the command line."""

from lambdalint.cli import main

main()
