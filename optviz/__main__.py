from optviz.cli import main

raise SystemExit(main())
