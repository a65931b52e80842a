// What the suite knows of Vigie's site: languages, level words, the pages to visit.

export const LANGS = ['fr', 'en'];
export const OTHER = { fr: 'en', en: 'fr' };
export const LEVELS = ['operational', 'minor', 'major', 'outage', 'maintenance'];
export const LEVEL_WORDS = {
  fr: { operational: 'Opérationnel', minor: 'Perturbation mineure', major: 'Perturbation majeure',
    outage: 'Non opérationnel', maintenance: 'Maintenance' },
  en: { operational: 'Operational', minor: 'Minor disruption', major: 'Major disruption',
    outage: 'Non-operational', maintenance: 'Maintenance' },
};
export const NOT_FOUND_TITLE = { fr: 'Page introuvable', en: 'Page not found' };
export const PLATFORM_SECTIONS = ['global-title', 'progress-title', 'planned-title',
  'services-title', 'recent-title'];

async function get(url) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/** The part of an HTML document from the heading with `id` to the end of its section. */
export function sectionOf(html, id) {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) return '';
  const end = html.indexOf('</section>', start);
  return html.slice(start, end < 0 ? undefined : end);
}

/**
 * The pages every check visits, found on the demo site: the home page, both platforms, a
 * service hit by the incident in progress on infinity, that incident's page, page 2 of
 * infinity's incident history (page 1 when there is no page 2) and a page that does not
 * exist. Each has name, status and path(lang).
 */
export async function discoverPages(origin) {
  const platform = await get(`${origin}/fr/infinity/`);
  if (platform.status !== 200) throw new Error(`/fr/infinity/ answered ${platform.status}`);
  const progress = sectionOf(platform.text, 'progress-title');
  const event = progress.match(/href="\/fr\/events\/(\d+)"/);
  if (!event) throw new Error('no event in progress on /fr/infinity/ (the demo incident?)');
  const service = progress.match(/href="\/fr\/infinity\/services\/([a-z0-9-]+)"/) ||
    sectionOf(platform.text, 'services-title').match(/href="\/fr\/infinity\/services\/([a-z0-9-]+)"/);
  if (!service) throw new Error('no service link on /fr/infinity/');
  let history = '/infinity/history?kind=incident&page=2';
  if ((await get(`${origin}/fr${history}`)).status !== 200) history = '/infinity/history?kind=incident';

  return [
    { name: 'home', rest: '/' },
    { name: 'weavy', rest: '/weavy/' },
    { name: 'infinity', rest: '/infinity/' },
    { name: 'service', rest: `/infinity/services/${service[1]}` },
    { name: 'event', rest: `/events/${event[1]}` },
    { name: 'history', rest: history },
    { name: 'not-found', rest: '/no-such-page', status: 404 },
  ].map((p) => ({ status: 200, ...p, path: (lang) => `/${lang}${p.rest}` }));
}

/** Relative luminance (0 black … 1 white) of a CSS colour given as "rgb(r, g, b)" or "rgba(…)". */
export function luminance(css) {
  const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two CSS colours. */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Relative luminance of the page's background. */
export async function backgroundLuminance(page) {
  return luminance(await page.evaluate(() => {
    const bg = getComputedStyle(document.body).backgroundColor;
    return /rgba\(.*, 0\)$|transparent/.test(bg)
      ? getComputedStyle(document.documentElement).backgroundColor : bg;
  }));
}
