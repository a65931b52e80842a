// What a visitor does and sees on the site: the language switch, the theme toggle, the site
// without JavaScript, the demo's events, the five levels, a maintenance starting by itself and
// the regional sites.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launchChromium, screenshot, watchProblems } from './lib/browser.mjs';
import { LANGS, LEVELS, LEVEL_WORDS, backgroundLuminance, contrast } from './lib/site.mjs';
import { ARTIFACTS, BINARY, DEMO_SCENARIO, FIXTURES, SOURCE, missingInputs, startVigie } from './lib/vigie.mjs';

const FIXTURE_CATALOG = path.join(FIXTURES, 'catalog.toml');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
let demo;

before(async () => {
  const missing = missingInputs({ seed: DEMO_SCENARIO });
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  // Both are kept even when the other fails, so that `after` stops what did start.
  const [b, d] = await Promise.allSettled([launchChromium(), startVigie()]);
  browser = b.value;
  demo = d.value;
  for (const r of [b, d]) if (r.status === 'rejected') throw r.reason;
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Runs `fn(page, watch)` in a fresh browser context, closed afterwards. */
async function withPage(options, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  try {
    const page = await context.newPage();
    return await fn(page, watchProblems(page));
  } finally {
    await context.close();
  }
}

const pathOf = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};
const textOf = async (locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const noProblems = (watch, where) =>
  assert.deepEqual(watch.take(), [], `problems in the browser on ${where}`);

describe('language', { timeout: 60_000 }, () => {
  test('the switch keeps the page, and the cookie then chooses / for the visitor', async () => {
    await withPage({ locale: 'fr-FR' }, async (page, watch) => {
      await page.goto(`${demo.origin}/`);
      assert.equal(pathOf(page), '/fr/', 'a French browser without cookie lands on /fr/');

      await page.goto(`${demo.origin}/fr/infinity/`);
      await page.click('nav.menu a[hreflang="en"]');
      await page.waitForURL(`${demo.origin}/en/infinity/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.goto(`${demo.origin}/`);
      assert.equal(pathOf(page), '/en/', '/ after switching to English (cookie vigie_lang)');
      const cookie = (await page.context().cookies()).find((c) => c.name === 'vigie_lang');
      assert.equal(cookie?.value, 'en', 'the vigie_lang cookie');

      noProblems(watch, 'the language switch');
    });
  });

  test('the switch keeps the query string (history filter and page)', async () => {
    await withPage({ locale: 'en-GB' }, async (page, watch) => {
      const history = '/infinity/history?kind=incident';
      await page.goto(`${demo.origin}/en${history}`);
      await page.click('nav.menu a[hreflang="fr"]');
      await page.waitForURL(/\/fr\//);
      assert.equal(pathOf(page), `/fr${history}`, 'the switch from a filtered history');
      await page.goto(`${demo.origin}/`);
      assert.equal(pathOf(page), '/fr/', '/ after switching to French');
      noProblems(watch, 'the language switch');
    });
  });
});

describe('theme', { timeout: 60_000 }, () => {
  test('the toggle turns the theme dark, and it stays so across reloads and pages', async () => {
    await withPage({ colorScheme: 'light', locale: 'fr-FR' }, async (page, watch) => {
      const state = () => page.evaluate(() => ({
        theme: document.documentElement.getAttribute('data-theme'),
        pressed: document.querySelector('button.theme-toggle').getAttribute('aria-pressed'),
        label: document.querySelector('.theme-label').textContent.trim(),
        stored: localStorage.getItem('vigie-theme'),
      }));
      await page.goto(`${demo.origin}/fr/weavy/`);
      assert.deepEqual(await state(), { theme: null, pressed: 'false', label: 'Clair', stored: null },
        'before the toggle, in a light system theme');
      const light = await backgroundLuminance(page);

      await page.click('button.theme-toggle');
      const dark = { theme: 'dark', pressed: 'true', label: 'Sombre', stored: 'dark' };
      assert.deepEqual(await state(), dark, 'after the toggle');
      const darkLum = await backgroundLuminance(page);
      assert.ok(darkLum < light, `the background got no darker (${light} → ${darkLum})`);

      await page.reload();
      assert.deepEqual(await state(), dark, 'after a reload');
      await page.click('nav.menu a[href="/fr/infinity/"]');
      await page.waitForURL(`${demo.origin}/fr/infinity/`);
      assert.deepEqual(await state(), dark, 'on another page');
      noProblems(watch, 'the theme toggle');

      // The head's inline script sets the theme before the page shows, not the deferred script.
      await page.route('**/*.js', (route) => route.abort());
      await page.reload();
      assert.equal(await page.getAttribute('html', 'data-theme'), 'dark',
        'data-theme without vigie.js (set by the inline head script)');
    });
  });
});

describe('without JavaScript', { timeout: 60_000 }, () => {
  test('pages load, links navigate and the services’ details open', async () => {
    await withPage({ javaScriptEnabled: false, locale: 'fr-FR', colorScheme: 'dark' }, async (page, watch) => {
      // Looks are checked softly, so that navigation is tested whatever they are.
      const problems = [];
      const check = (ok, msg) => ok || problems.push(msg);
      await page.goto(`${demo.origin}/`);
      assert.equal(pathOf(page), '/fr/');
      await screenshot(page, ARTIFACTS, 'no-js-home-fr-dark');
      check(!(await page.isVisible('button.theme-toggle')),
        'the theme toggle is shown without JS, where it cannot work (it has the hidden attribute)');
      const lum = await backgroundLuminance(page);
      check(lum < 0.2, `the dark system theme does not apply without JS (background luminance ${lum})`);

      await page.click('li.card a[href="/fr/infinity/"]');
      await page.waitForURL(`${demo.origin}/fr/infinity/`);
      const details = page.locator('table.services tbody tr details').first();
      check(!(await details.evaluate((d) => d.open)), 'the services’ details start open');
      check(!(await details.locator('dd').first().isVisible()), 'the information shows before a click');
      await details.locator('summary').click();
      check(await details.evaluate((d) => d.open), 'the details do not open on a click');
      check(await details.locator('dd').first().isVisible(), 'the information does not show after a click');

      const serviceLink = page.locator('table.services tbody tr th > a[href^="/fr/infinity/services/"]').first();
      const serviceHref = await serviceLink.getAttribute('href');
      await serviceLink.click();
      await page.waitForURL(demo.origin + serviceHref);
      assert.equal(await page.locator('ol.bars > li.bar').count(), 90);

      await page.click('p.crumbs a');
      await page.waitForURL(`${demo.origin}/fr/infinity/`);
      await page.click('section:has(> h2#progress-title) article.event h3 a');
      await page.waitForURL(/\/fr\/events\/\d+$/);
      assert.ok((await page.locator('ol.timeline > li').count()) > 0, 'the event page has its timeline');

      await page.click('nav.menu a[hreflang="en"]');
      await page.waitForURL(/\/en\/events\/\d+$/);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.click('p.crumbs a');
      await page.click('a[href$="/history"]');
      await page.waitForURL(`${demo.origin}/en/infinity/history`);
      await page.click('nav.filters a[href*="kind=incident"]');
      await page.waitForURL(`${demo.origin}/en/infinity/history?kind=incident`);
      assert.ok((await page.locator('article.event').count()) > 0, 'past incidents are listed');
      problems.push(...watch.take());
      assert.deepEqual(problems, [], 'the site without JavaScript');
    });
  });
});

describe('demo scenario', { timeout: 60_000 }, () => {
  for (const lang of LANGS) {
    test(`an incident is in progress on infinity and a maintenance is planned on weavy (${lang})`, async () => {
      await withPage({}, async (page) => {
        await page.goto(`${demo.origin}/${lang}/infinity/`);
        const inProgress = page.locator('section:has(> h2#progress-title) article.event');
        const kinds = await inProgress.locator('.event-kind .kind').allTextContents();
        assert.ok(kinds.includes('Incident'),
          `in progress on /${lang}/infinity/: ${JSON.stringify(kinds)}, expected an Incident`);
        assert.ok(await inProgress.locator('.kind-incident').count() > 0, 'no .kind-incident in progress');

        await page.goto(`${demo.origin}/${lang}/weavy/`);
        const planned = page.locator('section:has(> h2#planned-title) article.event');
        const plannedKinds = await planned.locator('.event-kind .kind').allTextContents();
        assert.ok(await planned.locator('.kind-maintenance').count() > 0,
          `planned on /${lang}/weavy/: ${JSON.stringify(plannedKinds)}, expected a Maintenance`);
        assert.ok(plannedKinds.includes('Maintenance'));
      });
    });
  }
});

describe('levels', { timeout: 60_000 }, () => {
  const EXPECTED = { web: 'operational', api: 'minor', sync: 'major', reports: 'outage', mobile: 'maintenance' };
  let vigie;
  before(async () => {
    vigie = await startVigie({ catalog: FIXTURE_CATALOG, seed: path.join(FIXTURES, 'levels.toml') });
  });
  after(async () => { await vigie?.stop(); });

  for (const scheme of ['light', 'dark']) {
    test(`each of the five levels has its colour, symbol and words (${scheme})`, async () => {
      await withPage({ colorScheme: scheme }, async (page, watch) => {
        for (const lang of LANGS) {
          const url = `${vigie.origin}/${lang}/weavy/`;
          await page.goto(url);
          const problems = [];
          const colours = {};
          for (const [slug, level] of Object.entries(EXPECTED)) {
            const row = page.locator(`table.services tbody tr:has(a[href="/${lang}/weavy/services/${slug}"])`);
            if ((await row.count()) !== 1) {
              problems.push(`no single row for the service ${slug}`);
              continue;
            }
            const badge = await row.locator('.level').evaluate((b) => ({
              classes: b.className,
              use: b.querySelector('use')?.getAttribute('href'),
              words: b.querySelector('.level-words')?.textContent.trim(),
              colour: getComputedStyle(b.querySelector('svg.icon')).color,
              symbol: !!document.querySelector(b.querySelector('use')?.getAttribute('href') || 'none'),
            }));
            const want = LEVEL_WORDS[lang][level];
            if (!badge.classes.split(/\s+/).includes(`level-${level}`)) problems.push(`${slug}: classes "${badge.classes}", expected level-${level}`);
            if (badge.use !== `#icon-${level}`) problems.push(`${slug}: symbol ${badge.use}, expected #icon-${level}`);
            if (!badge.symbol) problems.push(`${slug}: no element ${badge.use} in the page`);
            if (badge.words !== want) problems.push(`${slug}: words "${badge.words}", expected "${want}"`);
            colours[level] = badge.colour;
          }
          if (new Set(Object.values(colours)).size !== 5) {
            problems.push(`the five levels' icons do not have five colours: ${JSON.stringify(colours)}`);
          }
          const global = await page.locator('.global-status .level').getAttribute('class');
          if (!global.includes('level-outage')) problems.push(`global status "${global}", expected level-outage (the worst)`);
          problems.push(...(await axeViolations(page)));
          await screenshot(page, ARTIFACTS, `levels-${lang}-${scheme}`);
          problems.push(...watch.take());
          assert.deepEqual(problems, [], `${url} (${scheme})`);
        }
      });
    });

    // WCAG 1.4.11: a graphical object needs 3:1 against what is next to it. The symbols are
    // drawn in the level's colour with marks (tick, !, ×, spanner) of a fixed colour inside.
    test(`each level's symbol stands out from the page and its marks from the symbol (${scheme})`, async () => {
      await withPage({ colorScheme: scheme }, async (page) => {
        await page.goto(`${vigie.origin}/en/weavy/`);
        const problems = [];
        for (const level of LEVELS) {
          const icon = await page.locator(`table.services .level-${level} svg.icon`).first().evaluate((svg) => {
            const css = (value) => {
              const probe = document.createElement('span');
              probe.style.color = value;
              document.body.append(probe);
              const rgb = getComputedStyle(probe).color;
              probe.remove();
              return rgb;
            };
            let bgEl = svg;
            while (bgEl && /rgba\(.*, 0\)$|transparent/.test(getComputedStyle(bgEl).backgroundColor)) bgEl = bgEl.parentElement;
            const symbol = document.querySelector(svg.querySelector('use').getAttribute('href'));
            const marks = [...symbol.querySelectorAll('*')]
              .flatMap((el) => [el.getAttribute('fill'), el.getAttribute('stroke')])
              .filter((v) => v && v !== 'none' && v !== 'currentColor');
            return {
              colour: getComputedStyle(svg).color,
              background: getComputedStyle(bgEl || document.documentElement).backgroundColor,
              marks: [...new Set(marks)].map(css),
            };
          });
          const onPage = contrast(icon.colour, icon.background);
          if (onPage < 3) problems.push(`${level}: symbol ${icon.colour} on the page ${icon.background}: ${onPage.toFixed(2)}:1`);
          for (const mark of icon.marks) {
            const inside = contrast(icon.colour, mark);
            if (inside < 3) problems.push(`${level}: marks ${mark} on the symbol ${icon.colour}: ${inside.toFixed(2)}:1`);
          }
        }
        assert.deepEqual(problems, [], `symbols under 3:1 in the ${scheme} theme (vigie.css --LEVEL colours, icons.mustache marks)`);
      });
    });
  }
});

describe('planned maintenance', { timeout: 60_000 }, () => {
  test('turns its service to maintenance when it starts, with no request in between', async () => {
    const vigie = await startVigie({ catalog: FIXTURE_CATALOG, seed: path.join(FIXTURES, 'timed-maintenance.toml') });
    try {
      await withPage({ locale: 'fr-FR' }, async (page) => {
        const service = `${vigie.origin}/fr/weavy/services/web`;
        const platform = `${vigie.origin}/fr/weavy/`;
        const levelOf = async () => ({
          class: await page.locator('.global-status .level').getAttribute('class'),
          words: await textOf(page.locator('.global-status .level-words')),
        });
        const operational = { class: 'level level-operational', words: 'Opérationnel' };
        const maintenance = { class: 'level level-maintenance', words: 'Maintenance' };

        await page.goto(service);
        assert.deepEqual(await levelOf(), operational, `${service} before the maintenance`);
        // Starts 4 s after the import, ends 8 s after; nothing is asked of vigie until 6 s.
        await sleep(Math.max(0, vigie.startedAt + 6000 - Date.now()));
        await page.reload();
        assert.deepEqual(await levelOf(), maintenance, `${service} during the maintenance`);
        await page.goto(platform);
        assert.deepEqual(await levelOf(), maintenance, `${platform}: global status during the maintenance`);
        const inProgress = await page.locator('section:has(> h2#progress-title) article.event-maintenance').count();
        assert.equal(inProgress, 1, 'the maintenance is listed in progress');

        // Pages may be cached for a while: reload, as a visitor waiting for the end would.
        await sleep(Math.max(0, vigie.startedAt + 9000 - Date.now()));
        await page.goto(service);
        await page.reload();
        assert.deepEqual(await levelOf(), operational, `${service} after the maintenance`);
      });
    } finally {
      await vigie.stop();
    }
  });
});

describe('live updates', { timeout: 60_000 }, () => {
  test('a write through the admin API shows on an open page within 2 s, without a reload', async () => {
    const token = execFileSync(BINARY, ['token', 'create', 'live-test', '--config',
      path.join(SOURCE, 'vigie.toml'), '--data', demo.data], { cwd: SOURCE, encoding: 'utf8' }).trim();
    await withPage({ locale: 'fr-FR' }, async (page, watch) => {
      await page.goto(`${demo.origin}/fr/weavy/`);
      const row = page.locator('table.services tr', { has: page.locator('a[href="/fr/weavy/services/studio"]') });
      assert.equal(await textOf(row.locator('.level-words')), 'Opérationnel');
      await page.evaluate(() => { window.__notReloaded = true; });
      await sleep(500);  // the stream is open
      const res = await fetch(`${demo.origin}/api/v1/admin/levels`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ platform: 'weavy', service: 'studio', level: 'outage', regions: ['fr'] }),
      });
      assert.equal(res.status, 200, await res.text());
      const written = Date.now();
      await row.locator('.level-outage').waitFor({ timeout: 2000 });
      const delay = Date.now() - written;
      assert.equal(await textOf(row.locator('.level-words')), 'Non opérationnel');
      assert.equal(await page.evaluate(() => window.__notReloaded), true, 'updated in place');
      // Screen readers hear it: the polite live region says so.
      await page.waitForFunction(
        () => document.getElementById('live-status').textContent.includes('mise à jour'), null,
        { timeout: 1000 });
      assert.ok(delay < 2000, `visible after ${delay} ms`);
      noProblems(watch, 'the live page');
    });
  });
});

describe('regions', { timeout: 60_000 }, () => {
  const cases = [
    { host: 'status.divalto.ca', lang: 'en', region: 'North America', zone: 'ET' },
    { host: 'status.divalto.com', lang: 'fr', region: 'France', zone: 'heure de Paris' },
  ];
  for (const c of cases) {
    test(`${c.host} sends a visitor with no fr/en preference to /${c.lang}/, in its region`, async () => {
      // German: neither language is asked for, so the region's default language applies.
      await withPage({ locale: 'de-DE' }, async (page, watch) => {
        const origin = `http://${c.host}:${demo.port}`;
        await page.goto(`${origin}/`);
        assert.equal(page.url(), `${origin}/${c.lang}/`);
        const footer = await textOf(page.locator('footer'));
        assert.ok(footer.includes(c.region) && footer.includes(c.zone),
          `footer "${footer}" should name ${c.region} and the zone ${c.zone}`);
        noProblems(watch, origin);
      });
    });
  }
});
