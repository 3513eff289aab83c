from mercato.kit.migrations import run_env
from mercato.payments.models import metadata

run_env(metadata)
