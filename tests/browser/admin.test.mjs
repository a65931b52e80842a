// The whole incident flow in Chromium, as an operator lives it: sign in, open an incident on
// two services in both regions, post an update, resolve it; at each step the public page, a
// feed and the API say the same thing. The back-office pages pass axe too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launchChromium, screenshot, watchProblems } from './lib/browser.mjs';
import { ARTIFACTS, BINARY, DEMO_SCENARIO, SOURCE, missingInputs, startVigie } from './lib/vigie.mjs';

const PASSWORD = 'a long operator password';
let browser;
let vigie;

before(async () => {
  const missing = missingInputs({ seed: DEMO_SCENARIO });
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  [browser, vigie] = await Promise.all([launchChromium(), startVigie()]);
  execFileSync(BINARY, ['user', 'add', 'olivia', '--role', 'editor', '--config',
    path.join(SOURCE, 'vigie.toml'), '--data', vigie.data], { cwd: SOURCE, input: `${PASSWORD}\n` });
});

after(async () => {
  await browser?.close();
  await vigie?.stop();
});

const api = async (p) => (await fetch(`${vigie.origin}${p}`)).json();
const text = async (p) => (await fetch(`${vigie.origin}${p}`)).text();

describe('back-office', { timeout: 120_000 }, () => {
  test('an incident from opening to resolution, checked on the page, a feed and the API', async () => {
    // bypassCSP only lets axe be injected: the back-office's CSP forbids inline scripts.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', bypassCSP: true });
    const page = await context.newPage();
    const watch = watchProblems(page);
    const accessible = async (where) => {
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `axe on ${where}`);
      await screenshot(page, ARTIFACTS, `admin-${where}`);
    };
    try {
      await page.goto(`${vigie.origin}/admin/`);
      assert.match(page.url(), /\/admin\/login/);
      await accessible('login');
      await page.fill('#name', 'olivia');
      await page.fill('#password', PASSWORD);
      await page.click('form[action="/admin/login"] button[type=submit]');
      await page.waitForURL(`${vigie.origin}/admin/`);
      await accessible('dashboard');

      // Open the incident.
      await page.goto(`${vigie.origin}/admin/events`);
      await accessible('events');
      await page.selectOption('#kind', 'incident');
      await page.selectOption('#platform', 'infinity');
      await page.fill('#title_fr', 'Échecs des appels SOAP et REST');
      await page.fill('#title_en', 'SOAP and REST calls failing');
      await page.fill('#body_fr', 'Les appels **SOAP** échouent.');
      await page.selectOption('select[name=service_soap]', 'major');
      await page.selectOption('select[name=service_rest]', 'minor');
      await page.selectOption('#phase', 'investigating');
      await page.fill('#update_fr', 'Nous analysons.');
      await page.fill('#update_en', 'We are investigating.');
      await page.click('form[action="/admin/events"] button[type=submit]:not([formaction])');
      await page.waitForURL(/\/admin\/events\/\d+$/);
      const id = Number(page.url().split('/').pop());
      await accessible('event');

      for (const region of ['fr', 'na']) {
        const platform = await api(`/api/v1/platforms/infinity?region=${region}`);
        const level = (slug) => platform.services.find((s) => s.slug === slug).status.level;
        assert.deepEqual([level('soap'), level('rest')], ['major', 'minor'], `levels in ${region}`);
      }
      assert.match(await text('/fr/infinity/'), /Échecs des appels SOAP et REST/);
      assert.match(await text('/feeds/en/infinity/events.rss'), /SOAP and REST calls failing/);
      assert.equal((await api(`/api/v1/events/${id}`)).event.state, 'in_progress');

      // An update that changes the phase.
      await page.fill('#text_fr', 'Cause identifiée : un certificat expiré.');
      await page.fill('#text_en', 'Cause identified: an expired certificate.');
      await page.selectOption('#u_phase', 'identified');
      await page.click('form[action$="/updates"] button[type=submit]:not([formaction])');
      await page.waitForURL(`${vigie.origin}/admin/events/${id}`);
      const ev = (await api(`/api/v1/events/${id}?lang=en`)).event;
      assert.equal(ev.phase, 'identified');
      assert.equal(ev.updates[0].text, 'Cause identified: an expired certificate.');
      assert.match(await text(`/fr/events/${id}`), /Cause identifiée/);
      assert.match(await text('/feeds/fr/infinity/events.rss'), /Cause identifiée/);

      // Resolved (an incident lasts at least a second).
      await new Promise((r) => setTimeout(r, 1100));
      await page.fill('#r_fr', 'Certificat renouvelé.');
      await page.fill('#r_en', 'Certificate renewed.');
      await page.click('form[action$="/resolve"] button[type=submit]');
      await page.waitForURL(`${vigie.origin}/admin/events/${id}`);
      const done = (await api(`/api/v1/events/${id}`)).event;
      assert.deepEqual([done.state, done.phase], ['past', 'resolved']);
      const platform = await api('/api/v1/platforms/infinity');
      assert.equal(platform.services.find((s) => s.slug === 'soap').status.level, 'operational');
      assert.match(await text('/feeds/fr/infinity/services/soap.rss'), /<item>\s*<title>[^<]*Opérationnel/);

      // Every step is in the audit log.
      await page.goto(`${vigie.origin}/admin/audit`);
      await accessible('audit');
      const audit = await page.locator('table').textContent();
      for (const action of ['session.login', 'event.create', 'event.update', 'event.resolve']) {
        assert.ok(audit.includes(action), `${action} in the audit log`);
      }
      assert.deepEqual(watch.take(), [], 'no problem in the browser');
    } finally {
      await context.close();
    }
  });
});
