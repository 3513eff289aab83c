from mercato.kit.migrations import run_env
from mercato.orders.models import metadata

run_env(metadata)
