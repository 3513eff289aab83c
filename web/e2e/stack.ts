/** `mercato up` as a real process for the browser tests: its own data dir and free ports, the
 * production build of the web app served by it on the storefront's port, stopped by the pids
 * it started. */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface StackInfo {
  web: string;
  gateway: string;
  dataDir: string;
  admin: { email: string; password: string };
}

const REPO = resolve(import.meta.dirname, "../..");
const MERCATO = process.env.MERCATO_BIN ?? join(REPO, ".venv/bin/mercato");
const READY = "Mercato is up.";
const STARTED = /^mercato: started (\w+) pid=(\d+) url=(\S+)$/;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export class Stack {
  private process: ChildProcess | null = null;
  private output: string[] = [];
  readonly env: NodeJS.ProcessEnv;
  readonly info: StackInfo;

  private constructor(env: NodeJS.ProcessEnv, info: StackInfo) {
    this.env = env;
    this.info = info;
  }

  static async create(): Promise<Stack> {
    const root = mkdtempSync(join(tmpdir(), "mercato-e2e-"));
    const dataDir = join(root, "var");
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith("MERCATO_")) env[key] = value;
    }
    const urls: Record<string, string> = {};
    for (const name of ["users", "products", "orders", "payments", "notifications", "gateway", "web"]) {
      urls[name] = `http://127.0.0.1:${await freePort()}`;
      env[`MERCATO_${name.toUpperCase()}_URL`] = urls[name];
    }
    Object.assign(env, {
      MERCATO_ENV: "test",
      MERCATO_DATA_DIR: dataDir,
      MERCATO_BCRYPT_ROUNDS: "4",
      MERCATO_RATE_LIMIT: "100000/15m",
      MERCATO_AUTH_RATE_LIMIT: "100000/15m",
      MERCATO_LOG_LEVEL: "WARNING",
      NO_COLOR: "1",
    });
    const admin = { email: "admin@mercato.example.com", password: "Admin-Pass-2026" };
    return new Stack(env, { web: urls.web!, gateway: urls.gateway!, dataDir, admin });
  }

  async start(timeoutMs = 120_000): Promise<void> {
    const child = spawn(MERCATO, ["up", "--ready-timeout", "90"], {
      env: this.env,
      cwd: resolve(this.info.dataDir, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process = child;
    let pending = "";
    const collect = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      this.output.push(...lines);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.some((line) => line.includes(READY))) {
      if (child.exitCode !== null) throw new Error(`mercato up exited early:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`mercato up never became ready:\n${this.log()}`);
      await new Promise((wake) => setTimeout(wake, 200));
    }
    this.createAdmin();
  }

  /** `mercato create-admin`, the way an operator makes one (API.md). */
  private createAdmin(): void {
    const { email, password } = this.info.admin;
    const result = spawnSync(MERCATO, ["create-admin", "--email", email, "--password", password], {
      env: this.env,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`create-admin failed:\n${result.stdout}${result.stderr}`);
  }

  log(): string {
    return this.output.join("\n");
  }

  private children(): number[] {
    return this.output.flatMap((line) => {
      const match = STARTED.exec(line.trim());
      return match ? [Number(match[2])] : [];
    });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    if (child.exitCode === null) {
      child.kill("SIGINT");
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        new Promise<boolean>((done) => child.once("exit", () => done(true))),
        new Promise<boolean>((done) => {
          timer = setTimeout(() => done(false), 20_000);
        }),
      ]);
      clearTimeout(timer);
      if (!exited) child.kill("SIGKILL");
    }
    for (const pid of this.children()) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
  }
}
