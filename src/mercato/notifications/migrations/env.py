from mercato.kit.migrations import run_env
from mercato.notifications.models import metadata

run_env(metadata)
