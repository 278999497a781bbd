"""``python -m cyberloss COMMAND ...`` runs the command line, as ``cyberloss COMMAND ...`` does
(for an environment whose scripts folder is not on PATH)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
