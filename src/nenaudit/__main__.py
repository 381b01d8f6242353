import sys

from nenaudit.cli import main

sys.exit(main())
