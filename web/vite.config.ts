import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

/** In production `mercato up` serves /config.js with the gateway's URL; `npm run dev` serves
 * this one, pointing at the gateway of a local `make run` (or VITE_API_URL). */
function devConfig(): Plugin {
  const apiUrl = process.env.VITE_API_URL ?? "http://127.0.0.1:8080";
  return {
    name: "mercato-dev-config",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use("/config.js", (_req, res) => {
        res.setHeader("Content-Type", "application/javascript");
        res.end(`window.MERCATO_CONFIG = ${JSON.stringify({ apiUrl })};`);
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), devConfig()],
  server: { port: 3000, strictPort: true },
  build: { sourcemap: true, chunkSizeWarningLimit: 600 },
});
