"""`python -m soitin` runs the CLI."""

from soitin.cli import main

main()
