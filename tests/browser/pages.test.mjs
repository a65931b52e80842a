// Every page of the demo site, in both languages and both themes: status, language, content,
// console, accessibility (axe), HTML validity (Nu HTML Checker) and a 360 px wide screen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  axeViolations, launchChromium, overflowReport, screenshot, vnuErrors, watchProblems,
} from './lib/browser.mjs';
import {
  LANGS, LEVEL_WORDS, NOT_FOUND_TITLE, OTHER, PLATFORM_SECTIONS, backgroundLuminance,
  discoverPages,
} from './lib/site.mjs';
import { ARTIFACTS, DEMO_SCENARIO, missingInputs, startVigie } from './lib/vigie.mjs';

const SCHEMES = ['light', 'dark'];
const MOBILE_WIDTH = 360;

let browser;
let demo;
let pages;

before(async () => {
  const missing = missingInputs({ seed: DEMO_SCENARIO });
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  // Both are kept even when the other fails, so that `after` stops what did start.
  const [b, d] = await Promise.allSettled([launchChromium(), startVigie()]);
  browser = b.value;
  demo = d.value;
  for (const r of [b, d]) if (r.status === 'rejected') throw r.reason;
  pages = await discoverPages(demo.origin);
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Fails with every problem found, one a line, under the URL they were found on. */
function assertNone(problems, url) {
  const shown = problems.slice(0, 30);
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
  assert.ok(problems.length === 0, `${url}:\n  ${shown.join('\n  ')}`);
}

/** What the page shows, read in the browser for the checks of `contentProblems`. */
function readPage(page) {
  return page.evaluate(() => {
    const all = (sel) => [...document.querySelectorAll(sel)];
    const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
    return {
      lang: document.documentElement.lang,
      h1: text(document.querySelector('h1')),
      alternates: Object.fromEntries(all('link[rel="alternate"][hreflang]')
        .map((l) => [l.hreflang, l.getAttribute('href')])),
      langLink: all('nav.menu a[hreflang]').map((a) => a.getAttribute('href')),
      current: all('nav.menu a[aria-current="page"]').map((a) => a.getAttribute('href')),
      badges: all('.level').map((b) => ({
        classes: b.className,
        use: b.querySelector('svg.icon use')?.getAttribute('href'),
        words: text(b.querySelector('.level-words')),
      })),
      times: all('time').map((t) => t.getAttribute('datetime')),
      cards: all('li.card').map((c) => !!c.querySelector('.level')),
      h2ids: all('h2[id]').map((h) => h.id),
      serviceRows: all('table.services tbody tr').map((tr) => ({
        link: !!tr.querySelector('th > a[href*="/services/"]:not([href^="/feeds/"])'),
        badge: !!tr.querySelector('.level'),
        details: !!tr.querySelector('details > summary'),
      })),
      bars: all('ol.bars > li.bar').length,
      tips: all('ol.bars > li.bar .tip').length,
      availability: text(document.querySelector('p.availability')),
      changes: all('ol.changes > li').length,
      timeline: all('ol.timeline > li').length,
      events: all('article.event').length,
    };
  });
}

/** Problems with what a page shows, given where it is. */
function contentProblems(info, p, lang) {
  const out = [];
  const expect = (ok, what) => { if (!ok) out.push(what); };
  expect(info.lang === lang, `<html lang="${info.lang}">, expected "${lang}"`);
  expect(info.h1, 'no <h1>');
  for (const b of info.badges) {
    const level = b.classes.match(/\blevel-(\w+)/)?.[1];
    expect(level && LEVEL_WORDS[lang][level], `badge with classes "${b.classes}"`);
    if (!level) continue;
    expect(b.use === `#icon-${level}`, `badge ${level} shows the symbol ${b.use}`);
    expect(b.words === LEVEL_WORDS[lang][level],
      `badge ${level} says "${b.words}", expected "${LEVEL_WORDS[lang][level]}"`);
  }
  for (const t of info.times) {
    // A day (the 90 bars) or an instant in UTC.
    expect(/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?Z)?$/.test(t) && !Number.isNaN(Date.parse(t)),
      `<time datetime="${t}">: expected a date or a UTC time (…Z)`);
  }
  const other = OTHER[lang];
  if (p.status === 200) {
    // The alternates may leave the query out (filters, pages); the language link may not.
    const pathOnly = (s) => s?.split('?')[0];
    expect(pathOnly(info.alternates[lang]) === pathOnly(p.path(lang)) &&
      pathOnly(info.alternates[other]) === pathOnly(p.path(other)),
    `alternates ${JSON.stringify(info.alternates)}, expected ${p.path(lang)} and ${p.path(other)}`);
    const link = info.langLink.length === 1 ? new URL(info.langLink[0], 'http://x') : null;
    expect(link && link.pathname === `/set-lang/${other}` &&
      link.searchParams.get('next') === p.path(other),
    `language link ${info.langLink}, expected /set-lang/${other}?next=${p.path(other)}`);
  }
  switch (p.name) {
    case 'home':
      expect(info.cards.length === 2 && info.cards.every(Boolean),
        `${info.cards.length} li.card (with a level badge: ${info.cards.filter(Boolean).length}), expected 2`);
      break;
    case 'weavy':
    case 'infinity':
      for (const id of PLATFORM_SECTIONS) expect(info.h2ids.includes(id), `no h2#${id}`);
      expect(info.current.length === 1 && info.current[0] === p.path(lang),
        `menu links with aria-current="page": ${JSON.stringify(info.current)}`);
      expect(info.serviceRows.length > 0, 'no row in table.services');
      info.serviceRows.forEach((r, i) => expect(r.link && r.badge && r.details,
        `table.services row ${i + 1}: link ${r.link}, badge ${r.badge}, details ${r.details}`));
      break;
    case 'service':
      expect(info.bars === 90 && info.tips === 90, `${info.bars} li.bar and ${info.tips} .tip, expected 90`);
      expect(info.availability, 'no p.availability');
      expect(info.changes > 0, 'no entry in ol.changes');
      break;
    case 'event':
      expect(info.timeline > 0, 'no update in ol.timeline');
      break;
    case 'history':
      expect(info.events > 0, 'no article.event in the history');
      break;
    case 'not-found':
      expect(info.h1 === NOT_FOUND_TITLE[lang], `h1 "${info.h1}", expected "${NOT_FOUND_TITLE[lang]}"`);
      break;
    default:
  }
  return out;
}

/** The theme the page shows: data-theme, the toggle's state and the background's darkness. */
async function themeProblems(page, { attr, dark }) {
  const out = [];
  const state = await page.evaluate(() => {
    const b = document.querySelector('button.theme-toggle');
    return {
      attr: document.documentElement.getAttribute('data-theme'),
      visible: !!b && !b.hidden && b.offsetParent !== null,
      pressed: b?.getAttribute('aria-pressed'),
    };
  });
  if (state.attr !== attr) out.push(`data-theme="${state.attr}", expected "${attr}"`);
  if (!state.visible) out.push('the theme toggle is not shown');
  if (state.pressed !== String(dark)) out.push(`toggle aria-pressed="${state.pressed}" in a ${dark ? 'dark' : 'light'} theme`);
  const lum = await backgroundLuminance(page);
  if (dark ? lum > 0.2 : lum < 0.5) {
    out.push(`background luminance ${lum.toFixed(2)} in the ${dark ? 'dark' : 'light'} theme`);
  }
  return out;
}

describe('every page', { timeout: 240_000 }, () => {
  test('renders in both languages and themes, with no console error and no axe violation', async (t) => {
    for (const p of pages) {
      for (const lang of LANGS) {
        for (const scheme of SCHEMES) {
          const url = demo.origin + p.path(lang);
          await t.test(`${p.path(lang)} ${scheme}`, async () => {
            const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
            try {
              const page = await context.newPage();
              const watch = watchProblems(page);
              watch.allow(url, p.status);
              const problems = [];
              const res = await page.goto(url);
              if (res.status() !== p.status) problems.push(`status ${res.status()}, expected ${p.status}`);
              problems.push(...contentProblems(await readPage(page), p, lang));
              const dark = scheme === 'dark';
              problems.push(...(await themeProblems(page, { attr: null, dark })));
              problems.push(...(await axeViolations(page)));
              const name = `${p.name}-${lang}-${scheme}`;
              await screenshot(page, ARTIFACTS, name);

              // The toggle turns the theme the other way, and axe is still happy.
              await page.click('button.theme-toggle');
              const flipped = dark ? 'light' : 'dark';
              problems.push(...(await themeProblems(page, { attr: flipped, dark: !dark }))
                .map((m) => `after the toggle: ${m}`));
              problems.push(...(await axeViolations(page)).map((m) => `after the toggle to ${flipped}: ${m}`));
              await screenshot(page, ARTIFACTS, `${name}-toggled-${flipped}`);
              problems.push(...watch.take());
              assertNone(problems, url);
            } finally {
              await context.close();
            }
          });
        }
      }
    }
  });

  test('is valid HTML for the Nu HTML Checker', async () => {
    const docs = [];
    for (const p of pages) {
      for (const lang of LANGS) {
        const res = await fetch(demo.origin + p.path(lang));
        docs.push({ name: p.path(lang), html: await res.text() });
      }
    }
    const errors = vnuErrors(docs);
    const report = Object.entries(errors).map(([name, msgs]) => `${name}:\n    ${msgs.join('\n    ')}`);
    assert.ok(report.length === 0, `vnu errors:\n  ${report.join('\n  ')}`);
  });

  test(`has no horizontal scroll at ${MOBILE_WIDTH} px wide`, async () => {
    const context = await browser.newContext({
      viewport: { width: MOBILE_WIDTH, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    });
    const problems = [];
    try {
      const page = await context.newPage();
      for (const p of pages) {
        for (const lang of LANGS) {
          const url = demo.origin + p.path(lang);
          await page.goto(url);
          const report = await overflowReport(page, MOBILE_WIDTH);
          if (report.scrollWidth > MOBILE_WIDTH) {
            problems.push(`${url}: scrollWidth ${report.scrollWidth} px; sticking out:\n      ${report.culprits.join('\n      ')}`);
          }
          await screenshot(page, ARTIFACTS, `${p.name}-${lang}-${MOBILE_WIDTH}px`);
        }
      }
    } finally {
      await context.close();
    }
    assert.ok(problems.length === 0, `horizontal scroll:\n  ${problems.join('\n  ')}`);
  });
});
