"""What every benchmark runs on: the repository on the path and the sandbox settings with DEBUG off
(DEBUG keeps every query in memory: not what a site runs), on its own database unless DATABASE_URL
names one (MariaDB/PostgreSQL)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")
os.environ.setdefault("SANDBOX_DEBUG", "0")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
