from ec2tui.cli import main

raise SystemExit(main())
