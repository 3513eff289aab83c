from mercato.kit.migrations import run_env
from mercato.users.models import metadata

run_env(metadata)
