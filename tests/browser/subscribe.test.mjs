// Subscribing by e-mail in Chromium, as a customer does it, in both languages: the link on a
// platform or service page, the form, "check your inbox", the confirmation link from the real
// mail (a real SMTP server on loopback), the subscriber's page (confirm, change, unsubscribe).
// Every page of the way passes axe and the Nu HTML Checker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  axeViolations, launchChromium, screenshot, vnuErrors, watchProblems,
} from './lib/browser.mjs';
import { ARTIFACTS, DEMO_SCENARIO, missingInputs, startSmtpSink, startVigie } from './lib/vigie.mjs';

let browser;
let vigie;
let sink;

before(async () => {
  const missing = missingInputs({ seed: DEMO_SCENARIO });
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  sink = await startSmtpSink();
  [browser, vigie] = await Promise.all([launchChromium(), startVigie({
    env: {
      VIGIE_EMAIL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      VIGIE_EMAIL_FROM: 'Statut Divalto <status@divalto.example>',
      VIGIE_NOTIFY_FORM_MIN_SECONDS: '0',
    },
  })]);
});

after(async () => {
  await browser?.close();
  await vigie?.stop();
  await sink?.stop();
});

// The path and query of a link a mail gives (it names the configured public address).
const local = (url) => {
  const u = new URL(url);
  return `${vigie.origin}${u.pathname}${u.search}`;
};

const WORDS = {
  fr: {
    start: '/fr/weavy', link: 'M’abonner', sent: 'Vérifiez votre boîte de réception',
    confirm: 'Confirmer mon abonnement', confirmed: 'Votre abonnement est confirmé.',
    save: 'Enregistrer mes choix', saved: 'Vos choix sont enregistrés.',
    unsubscribe: 'Me désabonner', gone: 'Désabonnement effectué', subject: /^Confirmez/,
  },
  en: {
    start: '/en/weavy/services/back-office', link: 'Subscribe', sent: 'Check your inbox',
    confirm: 'Confirm my subscription', confirmed: 'Your subscription is confirmed.',
    save: 'Save my choices', saved: 'Your choices are saved.',
    unsubscribe: 'Unsubscribe', gone: 'Unsubscribed', subject: /^Confirm your/,
  },
};

describe('subscriptions', { timeout: 180_000 }, () => {
  for (const lang of ['fr', 'en']) {
    test(`subscribe, confirm, change and unsubscribe (${lang})`, async () => {
      const w = WORDS[lang];
      const email = `visitor-${lang}@divalto.example`;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang });
      const page = await context.newPage();
      const watch = watchProblems(page);
      const docs = [];
      const check = async (where) => {
        // The document as served, before axe adds its script to it.
        docs.push({ name: `${lang}-${where}`, html: await page.content() });
        assert.deepEqual(await axeViolations(page), [], `axe on ${where}`);
        await screenshot(page, ARTIFACTS, `subscribe-${lang}-${where}`);
      };
      try {
        await page.goto(`${vigie.origin}${w.start}`);
        await page.getByRole('link', { name: w.link }).first().click();
        await page.waitForURL(/\/subscribe\?platform=weavy/);
        await check('form');
        // What the page came from is ticked; the visitor adds the general messages.
        const ticked = await page.$$eval('input[name=follow]:checked', (l) => l.map((i) => i.value));
        assert.equal(ticked.length, 1, ticked.join());
        await page.check('input[name=follow][value="messages:weavy"]');
        await page.fill('#sub-email', email);
        await page.click('form.subscribe-form button[type=submit]');
        await page.getByRole('heading', { name: w.sent }).waitFor();
        await check('sent');

        // The confirmation mail, in the visitor's language, with its link.
        const mails = await sink.waitFor(lang === 'fr' ? 1 : 2);
        const mail = mails.find((m) => m.to === email);
        assert.ok(mail, `no mail to ${email}`);
        assert.match(mail.subject, w.subject);
        const confirmUrl = mail.text.match(/https?:\/\/\S+\?t=c\.\S+/)[0];
        await page.goto(local(confirmUrl));
        await check('manage-unconfirmed');
        await page.getByRole('button', { name: w.confirm }).click();
        await page.getByText(w.confirmed).waitFor();
        await check('confirmed');
        // Mails in the other language from now on.
        await page.check(`input[name=lang][value="${lang === 'fr' ? 'en' : 'fr'}"]`);
        await page.getByRole('button', { name: w.save }).click();
        await page.getByText(w.saved).waitFor();
        assert.equal(await page.isChecked(`input[name=lang][value="${lang === 'fr' ? 'en' : 'fr'}"]`), true);
        await page.getByRole('button', { name: w.unsubscribe }).click();
        await page.getByRole('heading', { name: w.gone }).waitFor();
        await check('unsubscribed');
        assert.deepEqual(vnuErrors(docs), {});
        assert.deepEqual(watch.take(), [], "no problem in the browser");
      } finally {
        await context.close();
      }
    });
  }
});
