import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/**
 * Throwaway `redis-server` and PostgreSQL cluster for the fault suites: each on a free port in
 * its own temporary directory, so a test can stop and restart it without touching the servers
 * other suites use. Everything started here is also killed when the process exits, so a crashed
 * run leaves nothing behind.
 */

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A binary on PATH, or (for PostgreSQL) in the newest /usr/lib/postgresql/<version>/bin. */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, name))) return join(dir, name);
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const candidate = join(debian, version, 'bin', name);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function userExists(name: string): boolean {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

export interface FaultBinaries {
  redisServer: string;
  initdb: string;
  pgCtl: string;
  /** Set when running as root: PostgreSQL refuses to run as root, so it runs as this user. */
  runuser: string | undefined;
}

/** The binaries the fault suites need, or why they cannot run here. */
export function detectFaultBinaries(): { binaries: FaultBinaries; missing: null } | { binaries: null; missing: string } {
  const redisServer = findBinary('redis-server');
  const initdb = findBinary('initdb');
  const pgCtl = findBinary('pg_ctl');
  const problems: string[] = [];
  if (redisServer === undefined) problems.push('redis-server not found');
  if (initdb === undefined) problems.push('initdb not found (PATH or /usr/lib/postgresql/*/bin)');
  if (pgCtl === undefined) problems.push('pg_ctl not found (PATH or /usr/lib/postgresql/*/bin)');
  let runuser: string | undefined;
  if (isRoot) {
    runuser = findBinary('runuser');
    if (runuser === undefined) problems.push('running as root, and runuser (to start PostgreSQL as "postgres") is not found');
    else if (!userExists('postgres')) problems.push('running as root, and there is no "postgres" user to run PostgreSQL as');
  }
  if (problems.length > 0 || redisServer === undefined || initdb === undefined || pgCtl === undefined) return { binaries: null, missing: problems.join('; ') };
  return { binaries: { redisServer, initdb, pgCtl, runuser }, missing: null };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, at most `timeoutMs`; throws `what` otherwise. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`);
}

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function runOk(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.output}`);
  return result.output;
}

/** Cleanups still owed; run synchronously if the process exits before afterAll does them. */
const pending = new Set<() => void>();
let exitHookInstalled = false;
function owe(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const fn of pending) {
        try {
          fn();
        } catch {
          // Best effort: the process is exiting.
        }
      }
    });
  }
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}

/** One PING over a raw socket: true when the server answers +PONG. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => done(data.toString().startsWith('+PONG')));
  });
}

/** A `redis-server` child process on a fixed port; `stop` and `start` again keep the port. */
export class RedisServer {
  private child: ChildProcess | null = null;
  private output = '';
  private readonly dir: string;
  private readonly forget: () => void;

  private constructor(
    private readonly binary: string,
    readonly port: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'elyzor-redis-'));
    this.forget = owe(() => {
      this.child?.kill('SIGKILL');
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  static async start(binary: string): Promise<RedisServer> {
    const server = new RedisServer(binary, await freePort());
    try {
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child !== null) return;
    const child = spawn(
      this.binary,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    try {
      await waitFor(`redis-server on port ${this.port}`, async () => {
        if (this.child !== child) throw new Error(`redis-server exited:\n${this.output}`);
        return redisPing(this.port);
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open but nothing is answered, like a Redis
   * stuck on a slow command or a network that drops packets. `resume` lets it go on.
   */
  pause(): void {
    if (this.child === null) throw new Error('redis-server is not running');
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops the server (SIGKILL: as abrupt as a crash); resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.forget();
  }
}

/**
 * A PostgreSQL cluster made with `initdb` in a temporary directory, listening on 127.0.0.1 at a
 * free port, trust authentication for `postgres`. As root, every PostgreSQL command runs as the
 * `postgres` user (which is why the directory is handed to that user).
 */
export class PostgresCluster {
  private started = false;
  private readonly forget: () => void;
  private readonly dataDir: string;

  private constructor(
    private readonly binaries: FaultBinaries,
    private readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = join(dir, 'data');
    this.forget = owe(() => {
      if (this.started) spawnSync(...this.command(this.binaries.pgCtl, ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  static async create(binaries: FaultBinaries): Promise<PostgresCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'elyzor-pg-'));
    if (binaries.runuser !== undefined) {
      const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(dir, id('-u'), id('-g'));
    }
    const cluster = new PostgresCluster(binaries, dir, await freePort());
    try {
      await runOk(...cluster.command(binaries.initdb, ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']));
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** `command args`, or the same through `runuser -u postgres --` when running as root. */
  private command(binary: string, args: readonly string[]): [string, string[]] {
    if (this.binaries.runuser === undefined) return [binary, [...args]];
    return [this.binaries.runuser, ['-u', 'postgres', '--', binary, ...args]];
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await runOk(...this.command(this.binaries.pgCtl, ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']));
    this.started = true;
  }

  /** `pg_ctl stop -m fast`: sessions are disconnected, as when an operator stops the server. */
  async stop(): Promise<void> {
    if (!this.started) return;
    await runOk(...this.command(this.binaries.pgCtl, ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']));
    this.started = false;
  }

  /** A fresh, empty database; returns its URL. */
  async createDatabase(name: string): Promise<string> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Runs one query on `database` over a fresh connection. */
  async query<R extends pg.QueryResultRow>(database: string, text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  async destroy(): Promise<void> {
    if (this.started) {
      await run(...this.command(this.binaries.pgCtl, ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']));
      this.started = false;
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.forget();
  }
}
