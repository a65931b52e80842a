// Starts the real vigie binary on a free loopback port with a temporary data directory.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SOURCE = path.resolve(process.env.VIGIE_SOURCE || process.cwd());
export const BINARY = path.resolve(process.env.VIGIE_BINARY || path.join(SOURCE, 'build/vigie'));
export const HERE = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const FIXTURES = path.join(HERE, 'fixtures');
export const ARTIFACTS = path.join(HERE, 'artifacts');
// The demo scenario; another can stand in while the real one is being written.
export const DEMO_SCENARIO = path.resolve(
  SOURCE, process.env.VIGIE_DEMO_SCENARIO || 'scenarios/demo.toml');

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Checks that what a vigie needs is there; returns a list of what is missing. */
export function missingInputs({ seed } = {}) {
  const catalog = path.resolve(SOURCE, process.env.VIGIE_CATALOG_PATH || 'catalog/divalto.toml');
  return [BINARY, catalog, seed].filter((f) => f && !existsSync(f));
}

/**
 * Starts `vigie serve`. seed: a scenario file (absolute, or relative to the repo root) or
 * null; catalog: another catalog than the configured one; env: more environment variables
 * (VIGIE_EMAIL_SMTP_URL and the like). Resolves once /healthz answers 200.
 * The result has origin ("http://127.0.0.1:PORT"), port, startedAt (ms, when spawned), log()
 * and stop().
 */
export async function startVigie({ seed = DEMO_SCENARIO, catalog = null, env: more = {} } = {}) {
  const data = mkdtempSync(path.join(tmpdir(), 'vigie-browser-'));
  const port = await freePort();
  const args = ['serve', '--config', path.join(SOURCE, 'vigie.toml'), '--data', data,
    '--listen', `127.0.0.1:${port}`];
  if (seed) args.push('--seed', path.resolve(SOURCE, seed));
  const env = { ...process.env };
  if (catalog) env.VIGIE_CATALOG_PATH = path.resolve(SOURCE, catalog);
  Object.assign(env, more);
  const startedAt = Date.now();
  const child = spawn(BINARY, args, { cwd: SOURCE, env, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    });
    child.on('error', (err) => { // could not start at all
      running.delete(child);
      stderr += `${err.message}\n`;
      resolve(err.code || 'error');
    });
  });
  let exitCode;
  exited.then((c) => { exitCode = c; });

  const origin = `http://127.0.0.1:${port}`;
  const vigie = {
    origin, port, startedAt, data,
    log: () => stderr,
    async stop() {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(data, { recursive: true, force: true });
      return exitCode;
    },
  };

  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      await vigie.stop();
      throw new Error(`vigie ${args.join(' ')} exited with ${exitCode}:\n${stderr}`);
    }
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.status === 200) return vigie;
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  await vigie.stop();
  throw new Error(`vigie did not answer /healthz within 30 s:\n${stderr}`);
}

const BROTLI = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';

/**
 * The static mirror of what `vigie` holds (`vigie mirror --to DIR`), served by a real nginx with
 * deploy/nginx-mirror.conf as shipped but for the mirror's folder and the port. The result has
 * origin and stop().
 */
export async function startMirror(vigie) {
  const mirror = mkdtempSync(path.join(tmpdir(), 'vigie-mirror-'));
  chmodSync(mirror, 0o755); // nginx's workers read it
  const made = spawnSync(BINARY, ['mirror', '--to', mirror, '--config', path.join(SOURCE, 'vigie.toml'),
    '--data', vigie.data], { cwd: SOURCE, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`vigie mirror failed: ${made.stderr}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'vigie-nginx-'));
  const port = await freePort();
  let site = readFileSync(path.join(SOURCE, 'deploy', 'nginx-mirror.conf'), 'utf8')
    .replaceAll('/var/lib/vigie/mirror', mirror)
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
  const load = existsSync(BROTLI) ? `load_module ${BROTLI};` : '';
  if (!load) site = site.replace('brotli_static on;', '');
  writeFileSync(path.join(dir, 'site.conf'), site);
  writeFileSync(path.join(dir, 'nginx.conf'), `${load}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http { access_log off; client_body_temp_path ${dir}/body; include ${dir}/site.conf; }
`);
  const nginx = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  const child = spawn(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  running.add(child);
  const exited = new Promise((resolve) => child.on('exit', () => { running.delete(child); resolve(); }));
  const origin = `http://127.0.0.1:${port}`;
  const served = {
    origin,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      rmSync(mirror, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${origin}/fr/`)).status === 200) return served;
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  await served.stop();
  throw new Error(`nginx did not serve the mirror within 10 s (${dir}/error.log)`);
}

/**
 * A real SMTP server on loopback (tests/integration/smtp_sink.py: Debian's python3-aiosmtpd)
 * that writes each mail it accepts to a folder. The result has port, mails() (each
 * { subject, to, text }, in order), waitFor(n) and stop().
 */
export async function startSmtpSink() {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigie-smtp-'));
  const child = spawn('/usr/bin/python3', [path.join(SOURCE, 'tests/integration/smtp_sink.py'),
    '--dir', dir], { cwd: path.join(SOURCE, 'tests/integration'), stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', () => { running.delete(child); resolve(); }));
  const portFile = path.join(dir, 'port');
  const deadline = Date.now() + 15000;
  while (!existsSync(portFile)) {
    if (Date.now() > deadline) throw new Error(`the SMTP sink did not start:\n${stderr}`);
    await sleep(50);
  }
  const mails = () => readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => {
    const raw = readFileSync(path.join(dir, f), 'utf8');
    const [head, ...rest] = raw.split('\n\n');
    const field = (name) => (head.match(new RegExp(`^${name}: (.*)$`, 'm')) || [])[1];
    return { subject: field('Subject'), to: field('To'), text: rest.join('\n\n') };
  });
  return {
    port: Number(readFileSync(portFile, 'utf8')),
    mails,
    async waitFor(n, timeout = 20000) {
      const end = Date.now() + timeout;
      while (Date.now() < end) {
        const got = mails();
        if (got.length >= n) return got;
        await sleep(50);
      }
      throw new Error(`expected ${n} mails, got ${mails().length}:\n${stderr}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
