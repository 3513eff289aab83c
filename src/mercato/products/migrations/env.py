from mercato.kit.migrations import run_env
from mercato.products.models import metadata

run_env(metadata)
