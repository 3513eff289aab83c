#!/usr/bin/env bash
# A whole Mercato stack for working on the web app by hand, on ports of its own:
#   web/scripts/dev-stack.sh 41   ->  gateway :41080, services :41001-41005, storefront :41000
# Data goes to a throwaway directory. Then `VITE_API_URL=http://127.0.0.1:41080 npx vite --port 41000`
# (from web/) serves the app with hot reload; or open :41000 for the production build.
set -euo pipefail
prefix=${1:?usage: dev-stack.sh PORT_PREFIX (e.g. 41)}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(mktemp -d)/var
export MERCATO_DATA_DIR=$data MERCATO_ENV=development MERCATO_BCRYPT_ROUNDS=4 \
  MERCATO_RATE_LIMIT=100000/15m MERCATO_AUTH_RATE_LIMIT=100000/15m \
  MERCATO_USERS_URL=http://127.0.0.1:${prefix}001 MERCATO_PRODUCTS_URL=http://127.0.0.1:${prefix}002 \
  MERCATO_ORDERS_URL=http://127.0.0.1:${prefix}003 MERCATO_PAYMENTS_URL=http://127.0.0.1:${prefix}004 \
  MERCATO_NOTIFICATIONS_URL=http://127.0.0.1:${prefix}005 MERCATO_GATEWAY_URL=http://127.0.0.1:${prefix}080 \
  MERCATO_WEB_URL=http://127.0.0.1:${prefix}000 \
  MERCATO_CORS_ORIGINS=http://127.0.0.1:${prefix}000,http://localhost:${prefix}000
echo "dev-stack: data in $data; mailbox $data/mail"
exec "$root/.venv/bin/mercato" up
