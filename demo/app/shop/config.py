"""Settings read from the environment."""

import os

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql+psycopg2://shop@localhost:5432/pgopt_demo"
)
PAGE_SIZE = int(os.environ.get("SHOP_PAGE_SIZE", "50"))
SESSION_DAYS = 30
