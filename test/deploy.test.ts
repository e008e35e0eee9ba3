/**
 * The container files (compose.yaml, Dockerfile, deploy/nginx.conf) cannot be run here (no Docker
 * engine on the build machines), so this checks that they agree with the service and with each
 * other: the replicas' environment is one the service accepts, their DATABASE_URL names the
 * PostgreSQL service with its credentials, the balancer sends to both replicas on the port they
 * listen on, its body limit is the service's, and the image runs the built entry point.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hashToken } from "../server/auth.js";
import { loadConfig } from "../server/config.js";
import { ROOT } from "./helpers/service-process.js";

interface ComposeService {
  readonly image?: string;
  readonly build?: string;
  readonly environment?: Record<string, string>;
  readonly depends_on?: Record<string, { condition: string }>;
  readonly ports?: string[];
}

const compose = parse(readFileSync(join(ROOT, "compose.yaml"), "utf8")) as {
  services: Record<string, ComposeService>;
};
const nginx = readFileSync(join(ROOT, "deploy", "nginx.conf"), "utf8");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

const replicas = Object.entries(compose.services).filter(([, s]) => s.environment?.DATABASE_URL !== undefined);

describe("compose.yaml, Dockerfile and deploy/nginx.conf", () => {
  it("two replicas on the PostgreSQL service, with its credentials", () => {
    expect(replicas.map(([name]) => name)).toHaveLength(2);
    const pg = compose.services.postgres!;
    const env = pg.environment!;
    for (const [, s] of replicas) {
      const url = new URL(s.environment!.DATABASE_URL!);
      expect(url.hostname).toBe("postgres");
      expect(decodeURIComponent(url.username)).toBe(env.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(env.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${env.POSTGRES_DB}`);
      expect(s.depends_on?.postgres?.condition).toBe("service_healthy");
    }
  });

  it("the replicas' environment is one the service starts with (tokens given, as compose requires)", () => {
    for (const [, s] of replicas) {
      const env: Record<string, string> = { ...s.environment!, TOKENS: `crm:decide:${hashToken("um-token-de-teste")}` };
      const config = loadConfig(env, ROOT);
      expect(config.databaseUrl).toBe(env.DATABASE_URL);
      expect(config.host).toBe("0.0.0.0");
      // Without tokens the service refuses to listen on the container network: compose insists on them.
      expect(s.environment!.TOKENS).toMatch(/^\$\{TOKENS:\?/);
      expect(() => loadConfig({ ...s.environment!, TOKENS: "" }, ROOT)).toThrow(/token/);
    }
  });

  it("nginx sends to both replicas on the port they listen on, with the service's body limit", () => {
    const servers = [...nginx.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers.sort()).toEqual(replicas.map(([name, s]) => `${name}:${s.environment!.PORT}`).sort());
    const limit = /client_max_body_size\s+(\d+)m;/.exec(nginx);
    expect(Number(limit?.[1]) * 1024 * 1024).toBe(loadConfig({}, ROOT).bodyLimit);
    expect(compose.services.balancer?.ports).toEqual(["8080:8080"]);
    expect(nginx).toMatch(/listen 8080;/);
  });

  it("the image builds with npm run build and runs the built entry point with node (signals reach it)", () => {
    expect(dockerfile).toMatch(/RUN npm run build/);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    const argv = JSON.parse(cmd ?? "[]") as string[];
    expect(argv[0]).toBe("node");
    expect(argv.at(-1)).toBe("dist/server/main.js");
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(build.compilerOptions.outDir).toBe("dist");
    expect(readFileSync(join(ROOT, "server", "main.ts"), "utf8")).toMatch(/app\.listen/);
  });
});
