// Debian's Chromium driven by playwright-core, with the checks every page gets.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const VNU_JAR = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// The regional host names resolve to the loopback address.
export const REGION_HOSTS = ['status.divalto.com', 'status.divalto.ca'];

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--host-resolver-rules=${REGION_HOSTS.map((h) => `MAP ${h} 127.0.0.1`).join(',')}`],
  });
}

/**
 * Records on a page what a visitor should never get: console errors, uncaught exceptions,
 * failed requests and sub-resources answered with an error. `expectedStatus` lets a 404 page
 * have its own document answered 404 (Chromium logs that as a console error).
 */
export function watchProblems(page) {
  const problems = [];
  let allowed = null; // { url, status } of a document expected to fail
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url || '';
    if (allowed && where === allowed.url &&
        msg.text().includes(`status of ${allowed.status}`)) return;
    problems.push(`console error: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText || '';
    // Cancelled by the browser itself, e.g. a favicon still loading when a link is followed.
    if (failure.includes('ERR_ABORTED')) return;
    problems.push(`request failed: ${req.url()} ${failure}`);
  });
  page.on('response', (res) => {
    const req = res.request();
    if (res.status() < 400) return;
    if (allowed && req.resourceType() === 'document' && res.url() === allowed.url &&
        res.status() === allowed.status) return;
    problems.push(`${req.resourceType()} ${res.url()} answered ${res.status()}`);
  });
  return {
    problems,
    allow(url, status) { allowed = status >= 400 ? { url, status } : null; },
    take() { return problems.splice(0); },
  };
}

/** Runs axe-core on the page; returns readable lines, one per violation and node. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: tags, resultTypes: ['violations'] }), AXE_TAGS);
  const lines = [];
  for (const v of result.violations) {
    const nodes = v.nodes.slice(0, 5).map((n) => {
      const summary = (n.failureSummary || '').replace(/\s+/g, ' ').trim();
      return `    at ${n.target.join(' ')}: ${n.html.slice(0, 160)}\n      ${summary}`;
    });
    const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : '';
    lines.push(`axe ${v.id} (${v.impact}): ${v.help}\n${nodes.join('\n')}${more}`);
  }
  return lines;
}

/**
 * Elements sticking out past `width` CSS pixels, to tell why a page scrolls sideways: the
 * outermost offender of each branch, grouped by their path in the document.
 */
export async function overflowReport(page, width) {
  return page.evaluate((w) => {
    const doc = document.documentElement;
    const out = { scrollWidth: doc.scrollWidth, culprits: [] };
    if (doc.scrollWidth <= w) return out;
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
      [...el.classList].map((c) => `.${c}`).join('');
    const sticksOut = (el) => el.getBoundingClientRect().right > w + 0.5;
    const groups = new Map();
    for (const el of document.body.querySelectorAll('*')) {
      if (!sticksOut(el) || el.getBoundingClientRect().width === 0) continue;
      // Skip what an ancestor already reports, or clips (it cannot widen the page).
      let skip = false;
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        if (sticksOut(e) || getComputedStyle(e).overflowX !== 'visible') { skip = true; break; }
      }
      if (skip) continue;
      const path = [];
      for (let e = el; e && e !== document.body; e = e.parentElement) path.unshift(describe(e));
      const key = path.join(' > ');
      const g = groups.get(key) || { count: 0, right: 0 };
      g.count += 1;
      g.right = Math.max(g.right, Math.round(el.getBoundingClientRect().right));
      groups.set(key, g);
    }
    for (const [key, g] of groups) {
      out.culprits.push(`${key} ×${g.count}, right edge up to ${g.right} px`);
    }
    return out;
  }, width);
}

/**
 * Validates HTML documents with the Nu HTML Checker in one java run.
 * docs: [{ name, html }]; returns { name: [messages] } for the documents with errors.
 */
export function vnuErrors(docs) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigie-vnu-'));
  try {
    const files = docs.map((d, i) => {
      const file = path.join(dir, `${String(i).padStart(3, '0')}.html`);
      writeFileSync(file, d.html);
      return { file, name: d.name };
    });
    const run = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', '--stdout',
      ...files.map((f) => f.file)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (run.error) throw run.error;
    let report;
    try {
      report = JSON.parse(run.stdout);
    } catch {
      throw new Error(`vnu gave no JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    const byName = {};
    for (const m of report.messages) {
      if (m.type !== 'error' && m.subType !== 'fatal') continue;
      // vnu names files "file:/tmp/…"; compare paths.
      const at = decodeURIComponent((m.url || '').replace(/^file:\/*/, '/'));
      const f = files.find((x) => x.file === at);
      const name = f ? f.name : m.url;
      const extract = m.extract ? ` «${m.extract.replace(/\s+/g, ' ').trim()}»` : '';
      (byName[name] ||= []).push(`line ${m.lastLine ?? '?'}: ${m.message}${extract}`);
    }
    return byName;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A full-page screenshot of `page` in `dir`, for people to look at, unless VIGIE_SCREENSHOTS=0:
 * nothing checks the pictures, ctest turns them off, and they cost a third of the page tests.
 */
export async function screenshot(page, dir, name) {
  if (process.env.VIGIE_SCREENSHOTS === '0') return;
  await page.screenshot({ path: screenshotPath(dir, name), fullPage: true });
}

export function screenshotPath(dir, name) {
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name.replace(/[^a-z0-9-]+/gi, '_')}.png`);
}
