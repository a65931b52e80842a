// Real clients from npm read Vigie: rss-parser (strict) for every follow feed of the demo, and
// the statuspage.io API client for the Statuspage v2 API, unchanged but for its base URL. Both
// read Vigie, then its static mirror served by nginx with deploy/nginx-mirror.conf.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { DEMO_SCENARIO, missingInputs, startMirror, startVigie } from './lib/vigie.mjs';

const require = createRequire(import.meta.url);
const Parser = require('rss-parser');
const { Statuspage } = require('statuspage.io');

let vigie;
let mirror;
before(async () => {
  const missing = missingInputs({ seed: DEMO_SCENARIO });
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  vigie = await startVigie();
  mirror = await startMirror(vigie);
});
after(async () => {
  await mirror?.stop();
  await vigie?.stop();
});

const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

const servers = { Vigie: () => vigie.origin, 'the static mirror': () => mirror.origin };
for (const [name, origin] of Object.entries(servers)) {
  describe(`rss-parser on ${name}`, { timeout: 60_000 }, () => {
    test('reads every RSS and Atom feed of the demo, newest first, dates in RFC 822', async () => {
      const parser = new Parser({ customFields: { feed: ['ttl', 'lastBuildDate'] } });
      const feeds = [];
      for (const lang of ['fr', 'en']) {
        feeds.push(`/feeds/${lang}/messages`);
        for (const platform of ['weavy', 'infinity']) {
          for (const what of ['status', 'messages', 'events']) feeds.push(`/feeds/${lang}/${platform}/${what}`);
        }
        feeds.push(`/feeds/${lang}/infinity/services/web-client`, `/feeds/${lang}/weavy/services/back-office`);
      }
      for (const path of feeds) {
        for (const ext of ['rss', 'atom']) {
          const url = `${origin()}${path}.${ext}`;
          const xml = await (await fetch(url)).text();
          const feed = await parser.parseString(xml);  // throws on malformed XML
          assert.ok(feed.title, url);
          if (ext === 'rss') {
            assert.equal(feed.ttl, '5', url);
            assert.match(feed.lastBuildDate, RFC822, url);
            for (const item of feed.items) assert.match(item.pubDate, RFC822, `${url}: ${item.title}`);
          }
          const dates = feed.items.map((i) => Date.parse(i.isoDate));
          assert.deepEqual(dates, [...dates].sort((a, b) => b - a), `${url}: newest first`);
          const guids = feed.items.map((i) => i.guid || i.id);
          assert.equal(new Set(guids).size, guids.length, `${url}: unique guids`);
        }
      }
    });

    test('the first item of the infinity status feed is its current status', async () => {
      const parser = new Parser();
      const feed = await parser.parseURL(`${origin()}/feeds/en/infinity/status.rss`);
      const api = await (await fetch(`${origin()}/api/v1/platforms/infinity?lang=en`)).json();
      assert.equal(feed.items[0].title, `Divalto infinity: ${api.status.label}`);
    });
  });

  describe(`statuspage.io client on ${name}`, { timeout: 60_000 }, () => {
    test('reads the page as it reads any Statuspage', async () => {
      const client = new Statuspage('vigie');
      client.setApiUrl(origin());
      const summary = await client.api.getSummary();
      assert.deepEqual(Object.keys(summary), ['page', 'components', 'incidents', 'scheduled_maintenances', 'status']);
      assert.equal(summary.status.indicator, 'major');  // the demo incident is a major one
      const groups = summary.components.filter((c) => c.group);
      assert.deepEqual(groups.map((g) => g.name), ['Divalto weavy', 'Divalto infinity']);
      const services = summary.components.filter((c) => !c.group);
      assert.equal(services.length, 37);
      const known = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
      for (const c of summary.components) assert.ok(known.includes(c.status), `${c.name}: ${c.status}`);
      assert.ok(services.some((c) => c.status === 'partial_outage'), 'the web client is in partial outage');

      const status = await client.api.getStatus();
      assert.equal(status.status.indicator, 'major');
      const components = await client.api.getComponents();
      assert.equal(components.components.length, summary.components.length);
      const unresolved = await client.api.incidents.getUnresolved();
      assert.equal(unresolved.incidents.length, 1);
      assert.equal(unresolved.incidents[0].status, 'monitoring');
      assert.ok(unresolved.incidents[0].incident_updates.length >= 3);
      const incidents = await client.api.incidents.getAll();
      assert.ok(incidents.incidents.some((i) => i.status === 'resolved'));
      const upcoming = await client.api.scheduledMaintenances.getUpcoming();
      assert.ok(upcoming.scheduled_maintenances.length >= 1);
      assert.equal(upcoming.scheduled_maintenances[0].status, 'scheduled');
    });

    test('one platform alone is a page under /{platform}/', async () => {
      const client = new Statuspage('vigie');
      client.setApiUrl(`${origin()}/weavy`);
      const summary = await client.api.getSummary();
      assert.equal(summary.components.filter((c) => !c.group).length, 15);
      assert.equal(summary.incidents.length, 0, 'no incident in progress on weavy');
    });
  });
}
