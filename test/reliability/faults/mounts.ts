/**
 * The mounts the storage faults make (a small tmpfs as the data folder, remounted read-only), and
 * their cleanup: every mount is tracked and unmounted in `finally`, and `installCleanup()` also
 * unmounts (and kills the services still running) on SIGINT, SIGTERM and exit, so that an
 * interrupted run leaves no mount behind.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { killAll } from "./fixture.js";

const run = promisify(execFile);
const mounted = new Set<string>();

/** Mounts a tmpfs of `sizeBytes` on `dir`; resolves with undefined, or the reason it is not permitted. */
export async function mountTmpfs(dir: string, sizeBytes: number): Promise<string | undefined> {
  if (process.platform !== "linux") return `mount needs Linux (this is ${process.platform})`;
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes},mode=0755`, "tmpfs", dir]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const uid = process.getuid?.();
    return `mount -t tmpfs refused (${uid === 0 ? "root without CAP_SYS_ADMIN?" : `uid ${String(uid)}, not root`}): ${(err.stderr || err.message).trim()}`;
  }
  mounted.add(dir);
  return undefined;
}

/**
 * Remounts `dir` read-only or read-write. A read-only remount fails ("mount point is busy") while a
 * file there is open for writing: the service's decision log opens its segment for each batch it
 * appends (every ~200 ms while decisions come in), so that is tried again — as an operator would —
 * for up to 30 s; any other failure is thrown at once.
 */
export async function remount(dir: string, mode: "ro" | "rw"): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run("mount", ["-o", `remount,${mode}`, dir]);
      return;
    } catch (e) {
      const text = `${(e as { stderr?: string }).stderr ?? ""} ${(e as Error).message}`;
      if (!/busy/i.test(text) || attempt >= 300) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Unmounts `dir` (lazily when busy). */
export async function unmount(dir: string): Promise<void> {
  if (!mounted.has(dir)) return;
  try {
    await run("umount", [dir]);
  } catch {
    await run("umount", ["-l", dir]).catch(() => undefined);
  }
  mounted.delete(dir);
}

/** Unmounts everything still mounted by this process. */
export async function unmountAll(): Promise<void> {
  for (const dir of [...mounted]) await unmount(dir);
}

function unmountAllSync(): void {
  for (const dir of mounted) {
    try {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
    } catch {
      // already gone
    }
    mounted.delete(dir);
  }
}

let installed = false;

/** On SIGINT / SIGTERM / exit: kill the services still running and unmount what was mounted. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    killAll();
    unmountAllSync();
    process.stderr.write(`faults: interrupted (${signal}); services killed, mounts removed\n`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", () => {
    killAll();
    unmountAllSync();
  });
}

/** Whether a tmpfs can be mounted here: undefined, or the reason it cannot (probed on a temp folder). */
export async function mountRefusal(): Promise<string | undefined> {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "faults-probe-"));
  try {
    const reason = await mountTmpfs(dir, 1024 * 1024);
    if (reason === undefined) await unmount(dir);
    return reason;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
