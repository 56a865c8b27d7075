"""`python -m wf_lsp` runs the same command line as `wf-lsp`."""

from wf_lsp.cli import main

raise SystemExit(main())
