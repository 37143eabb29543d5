/**
 * Child processes of a benchmark run: starting them, watching their memory and CPU, and making
 * sure none outlives the run, whether it ends normally, on an error or on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every child still running, so that an exit of any kind can take them down. */
const live = new Set();
/** Temporary directories (embedded databases, token files), removed at exit. */
const temporary = new Set();

/** A new temporary directory, removed by `removeTempDir` or at exit. */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  temporary.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

function killGroup(child, signal) {
  try {
    // Detached children lead their own process group: this reaches a cluster's workers too,
    // even when the primary has already exited.
    process.kill(-child.pid, signal);
  } catch {
    // The whole group is gone.
  }
}

let hooked = false;
/** Installs the exit hooks once: children are killed on exit, Ctrl-C, SIGTERM and fatal errors. */
export function installCleanup() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every child process`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * Spawns a tracked child in its own process group. Output is kept (the last `keepLines` lines of
 * each stream) for diagnostics, and `onLine` sees every line as it arrives.
 */
export function spawnTracked(command, args, { env, cwd, onLine, keepLines = 400 } = {}) {
  const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines = [];
  const exited = new Promise((resolve) => {
    // 'close', not 'exit': only then has all of the child's output been read.
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      live.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  for (const [name, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      rest += chunk;
      let at;
      while ((at = rest.indexOf('\n')) !== -1) {
        const line = rest.slice(0, at);
        rest = rest.slice(at + 1);
        lines.push(line);
        if (lines.length > keepLines) lines.shift();
        onLine?.(line, name);
      }
    });
  }
  return { child, lines, exited };
}

/** Asks a child to stop with `signal`, then kills its whole group if it has not exited in time. */
export async function stopChild(tracked, { signal = 'SIGTERM', graceMs = 15_000 } = {}) {
  const { child, exited } = tracked;
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
  const outcome = await Promise.race([exited, sleep(graceMs).then(() => null)]);
  if (outcome !== null) {
    // A cluster primary that exited first may leave workers behind: clear the group.
    killGroup(child, 'SIGKILL');
    return outcome;
  }
  killGroup(child, 'SIGKILL');
  const killed = await exited;
  return { ...killed, forced: true };
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100;

/** Resident memory (VmRSS, VmHWM) in bytes and CPU seconds used, from /proc; null once gone. */
export function readProc(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpuSeconds, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Pids whose parent is `pid` (a cluster primary's workers). */
export function childPids(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info?.ppid === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * Samples a process's RSS every `intervalMs`. `mark()` starts a new window and returns the
 * previous one's peak, so each scenario gets its own peak; the kernel's own high-water mark
 * (VmHWM, over the process's life) is kept as well.
 */
export class ProcessSampler {
  constructor(pid, intervalMs = 200) {
    this.pid = pid;
    this.windowPeak = 0;
    this.lastRss = 0;
    this.hwm = 0;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  sample() {
    const info = readProc(this.pid);
    if (info === null) return null;
    this.lastRss = info.rss;
    this.hwm = Math.max(this.hwm, info.hwm);
    this.windowPeak = Math.max(this.windowPeak, info.rss);
    return info;
  }

  /** Starts a window: returns a function that ends it with its peak RSS and CPU use. */
  window() {
    const start = this.sample();
    const startedAt = performance.now();
    this.windowPeak = this.lastRss;
    return () => {
      const end = this.sample();
      const seconds = (performance.now() - startedAt) / 1000;
      const cpuSeconds = start !== null && end !== null ? end.cpuSeconds - start.cpuSeconds : null;
      return {
        peakRss: this.windowPeak,
        rssAfter: this.lastRss,
        hwm: this.hwm,
        cpuPercent: cpuSeconds === null || seconds === 0 ? null : (100 * cpuSeconds) / seconds,
      };
    };
  }

  stop() {
    clearInterval(this.timer);
  }
}
