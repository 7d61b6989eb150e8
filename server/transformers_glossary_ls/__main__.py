from transformers_glossary_ls.cli import main

raise SystemExit(main())
