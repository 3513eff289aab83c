// The seed's stack as a reference for the catalog benchmark: Express 4 answering
// GET /api/products with the page the products service answers for page=1&limit=20.
// The page is read once at start (the bench fetches it from the products service) and kept
// parsed, as an Express app holding its data would; res.json() serialises it per request.
// Usage: node server.js <port> <products-page.json>
'use strict';

const fs = require('fs');
const express = require('express');

const [port, pagePath] = process.argv.slice(2);
const page = JSON.parse(fs.readFileSync(pagePath, 'utf8'));

const app = express();
app.get('/health', (req, res) => res.json({ status: 'ok' }));
app.get('/api/products', (req, res) => res.json(page));

app.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
