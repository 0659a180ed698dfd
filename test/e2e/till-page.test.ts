import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CODES,
  type FakeTillApi,
  formatCode,
  MARKETER_KEY,
  RETRY_AFTER_SECONDS,
  STORE_KEY,
  startFakeTillApi,
  UNSUBSCRIBED_EMAIL,
} from '../support/fake-till-api';
import { launchChromium } from './browser';

/**
 * The till page as shop staff use it: served with its CSP by a fake till API,
 * in headless Chromium on a landscape tablet (1024×768, touch), in English and
 * in French. Screenshots go to /tmp/relance-till-*.png.
 */
const SHOT = (name: string) => `/tmp/relance-till-${name}.png`;
const TABLET = { width: 1024, height: 768 };
const KEY_ITEM = 'relance.till.key';

let browser: Browser | undefined;
let fake: FakeTillApi;
const open: BrowserContext[] = [];

beforeAll(async () => {
  fake = await startFakeTillApi();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await fake?.close();
});

beforeEach(() => fake.reset());

afterEach(async () => {
  for (const context of open.splice(0)) await context.close();
});

interface Till {
  page: Page;
  /** CSP violations, script errors and requests to another origin: must stay empty. */
  problems: string[];
}

/** A fresh tablet (empty localStorage unless a key is given) showing `/till`. */
async function till(
  options: { locale?: string; key?: string; viewport?: { width: number; height: number } } = {},
): Promise<Till> {
  if (!browser) throw new Error('Chromium did not start');
  const context = await browser.newContext({
    viewport: options.viewport ?? TABLET,
    hasTouch: true,
    locale: options.locale ?? 'en-GB',
    timezoneId: 'Europe/Paris',
  });
  open.push(context);
  if (options.key) {
    await context.addInitScript(
      ([name, key]) => {
        const { localStorage } = globalThis as unknown as InPage;
        if (!localStorage.getItem(name)) localStorage.setItem(name, key);
      },
      [KEY_ITEM, options.key] as const,
    );
  }
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(fake.url)) problems.push(`request: ${request.url()}`);
  });
  await page.goto(`${fake.url}/till`);
  return { page, problems };
}

/** The few browser globals the page callbacks use (the project compiles without the DOM lib). */
interface InPage {
  localStorage: { getItem(name: string): string | null; setItem(name: string, value: string): void };
  document: { activeElement: { id: string } | null };
  getComputedStyle(element: unknown): { fontSize: string };
}

const status = (page: Page) => page.locator('#status');
const focusedId = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id ?? '');
const storedKey = (page: Page) =>
  page.evaluate((name) => (globalThis as unknown as InPage).localStorage.getItem(name), KEY_ITEM);
const cardTone = (page: Page) => page.locator('#card').getAttribute('class');

/** Types a code the way a barcode scanner does: keystrokes into the focused input, then Enter. */
async function scan(page: Page, code: string): Promise<void> {
  await expect.poll(() => focusedId(page)).toBe('code');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/** Every visible button, input and select is at least `min` CSS pixels tall: fingers, not mice. */
const smallTargets = (page: Page, min: number) =>
  page.locator('button, input, select').evaluateAll(
    (elements, min) =>
      elements
        .filter((e) => (e as { offsetParent: unknown }).offsetParent !== null)
        .map((e) => ({ id: e.id || e.textContent, height: e.getBoundingClientRect().height }))
        .filter((e) => e.height < min),
    min,
  );

const noHorizontalOverflow = (page: Page) =>
  page.locator('html').evaluate((root) => root.scrollWidth <= root.clientWidth);

describe('the till page on a tablet', () => {
  it('asks for the key once, then checks, redeems and undoes a coupon typed without dashes', async () => {
    const { page, problems } = await till();

    // First run: the key, with focus in its field.
    await expect.poll(() => page.getByRole('heading', { name: 'Set up this till' }).isVisible()).toBe(true);
    expect(await page.locator('#desk').isHidden()).toBe(true);
    expect(await focusedId(page)).toBe('key');
    await page.screenshot({ path: SHOT('01-setup') });
    await page.getByLabel('Store key').fill(STORE_KEY);
    await page.getByLabel('Till name (optional)').fill('T2');
    await page.getByRole('button', { name: 'Save' }).tap();
    await expect.poll(() => page.getByLabel('Coupon code').isVisible()).toBe(true);
    expect(await storedKey(page)).toBe(STORE_KEY);
    expect(await page.locator('#store-tag').textContent()).toBe('Key …7Q2M · Till T2');

    // Lower case, no dashes, scanner-style.
    await scan(page, CODES.percent.toLowerCase());
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    const text = await status(page).textContent();
    for (const part of ['-20 % sur tout le magasin', 'Camille', formatCode(CODES.percent), '€30.00'])
      expect(text).toContain(part);
    expect(await cardTone(page)).toContain('ok');
    expect(await focusedId(page)).toBe('code');
    const lookup = fake.requests.at(-1);
    expect(lookup).toMatchObject({
      method: 'GET',
      path: `/v1/coupons/${CODES.percent.toLowerCase()}`,
      authorization: `Bearer ${STORE_KEY}`,
    });
    // On the tablet's screen without scrolling: the whole result and the Redeem button.
    const redeemBox = await page.getByRole('button', { name: 'Redeem' }).boundingBox();
    expect((redeemBox?.y ?? 0) + (redeemBox?.height ?? 0)).toBeLessThanOrEqual(TABLET.height);
    expect(await smallTargets(page, 48)).toEqual([]);
    expect(await noHorizontalOverflow(page)).toBe(true);
    expect(
      await page
        .locator('#code')
        .evaluate((e) => Number.parseFloat((globalThis as unknown as InPage).getComputedStyle(e).fontSize)),
    ).toBeGreaterThanOrEqual(28);
    await page.screenshot({ path: SHOT('02-valid') });

    // Receipt and basket (a French decimal comma is fine), then Redeem.
    await page.getByLabel('Receipt number').fill('T-1001');
    await page.getByLabel('Basket amount').fill('42,50');
    expect(await page.getByLabel('Currency').inputValue()).toBe('EUR');
    await page.getByRole('button', { name: 'Redeem' }).tap();
    await expect.poll(() => status(page).textContent()).toContain('Coupon redeemed');
    expect(await status(page).textContent()).toContain('Receipt T-1001, basket €42.50');
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v1/coupons/${encodeURIComponent(formatCode(CODES.percent))}/redeem`,
      body: { receiptRef: 'T-1001', basketAmount: 42.5, currency: 'EUR', channel: 'store', tillId: 'T2' },
    });
    const undo = page.locator('#undo');
    await expect.poll(() => undo.textContent()).toMatch(/^Undo \([45]:\d\d\)$/);
    expect(await focusedId(page)).toBe('code');
    await page.screenshot({ path: SHOT('03-redeemed') });

    // Undo within the window: the coupon is issued again.
    await undo.tap();
    await expect.poll(() => status(page).textContent()).toContain('Redemption undone');
    expect(await undo.isHidden()).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', body: { receiptRef: 'T-1001' } });
    expect(fake.requests.at(-1)?.path).toMatch(/\/void$/);
    expect(await focusedId(page)).toBe('code');
    expect(await page.locator('#code').inputValue()).toBe(formatCode(CODES.percent));
    await page.screenshot({ path: SHOT('04-undone') });

    // Enter checks the same code again: valid.
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    expect(problems).toEqual([]);
  });

  it('keeps the staff on the form when the receipt or basket is missing or below the minimum', async () => {
    const { page, problems } = await till({ key: STORE_KEY });
    await scan(page, formatCode(CODES.percent));
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');

    const redeem = page.getByRole('button', { name: 'Redeem' });
    await redeem.tap();
    await expect.poll(() => page.locator('#receipt-error').textContent()).toBe('Enter the receipt number.');
    expect(await focusedId(page)).toBe('receipt');
    expect(await page.getByLabel('Receipt number').getAttribute('aria-invalid')).toBe('true');

    // Enter in the receipt field (a scanned receipt) moves on to the amount, not to an error.
    await page.keyboard.type('T-2002');
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('basket');
    await page.keyboard.type('12');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#basket-error').textContent())
      .toBe('The basket is below this coupon’s minimum of €30.00.');
    expect(await focusedId(page)).toBe('basket');
    expect(await status(page).textContent()).toContain('Valid coupon');
    await page.screenshot({ path: SHOT('05-min-basket') });

    await page.getByLabel('Basket amount').fill('31');
    await redeem.tap();
    await expect.poll(() => status(page).textContent()).toContain('Coupon redeemed');
    expect(problems).toEqual([]);
  });

  it('says when and where a coupon was already used, on look-up and on a redeem that lost the race', async () => {
    const { page, problems } = await till({ key: STORE_KEY });
    await scan(page, formatCode(CODES.redeemed));
    await expect.poll(() => status(page).textContent()).toContain('Already used');
    const text = await status(page).textContent();
    expect(text).toMatch(/Already used on 12 March( \d{4})? at 14:05 in store lyon-02\./);
    expect(text).toContain('T-0312-0077');
    expect(text).toContain('€54.90');
    expect(await cardTone(page)).toContain('bad');
    expect(await page.locator('#redeem-form').isHidden()).toBe(true);
    await page.screenshot({ path: SHOT('06-already-used') });

    // Valid on screen, but another till redeems it first: the 409 tells where.
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    const other = await fetch(`${fake.url}/v1/coupons/${CODES.percent}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STORE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ receiptRef: 'OTHER-1', basketAmount: 80, currency: 'EUR', channel: 'store' }),
    });
    expect(other.status).toBe(200);
    await page.getByLabel('Receipt number').fill('T-3003');
    await page.getByLabel('Basket amount').fill('45');
    await page.getByRole('button', { name: 'Redeem' }).tap();
    await expect.poll(() => status(page).textContent()).toMatch(/Already used on .+ in store paris-11\./);
    expect(await status(page).textContent()).toContain('OTHER-1');
    expect(await focusedId(page)).toBe('code');
    expect(problems).toEqual([]);
  });

  it('gives every refusal in plain words and shows API data as text, never as markup', async () => {
    const { page, problems } = await till({ key: STORE_KEY });
    await scan(page, CODES.expired);
    await expect.poll(() => status(page).textContent()).toMatch(/Expired.*This coupon expired on \d+ \w+/);

    await scan(page, 'NOT-A-CODE');
    await expect.poll(() => status(page).textContent()).toContain('This is not a coupon code');

    await scan(page, CODES.gift);
    await expect.poll(() => status(page).textContent()).toContain('Un tote bag offert');
    expect(await status(page).textContent()).toContain(
      '<img src=x onerror="document.body.dataset.pwned=1">Zoé',
    );
    expect(await page.locator('#status img').count()).toBe(0);
    expect(await page.locator('body').getAttribute('data-pwned')).toBeNull();
    expect(await status(page).textContent()).toContain('None'); // no minimum basket
    expect(problems).toEqual([]);
  });

  it('explains a wrong key and a marketer key, and lets the staff enter the right one', async () => {
    const { page, problems } = await till({ key: 'rl_store_typo' });
    await scan(page, CODES.percent);
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe('The store key was refused. Check it and enter it again.');
    expect(await page.locator('#setup').isVisible()).toBe(true);
    expect(await focusedId(page)).toBe('key');
    await page.screenshot({ path: SHOT('07-wrong-key') });

    await page.getByLabel('Store key').fill(MARKETER_KEY);
    await page.keyboard.press('Enter');
    await scan(page, CODES.percent);
    await expect
      .poll(() => alert.textContent())
      .toBe('This key is not a store key. Enter the key of this store.');

    await page.getByLabel('Store key').fill(STORE_KEY);
    await page.getByRole('button', { name: 'Save' }).tap();
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');

    // Change store: cancel keeps the key; forget removes it.
    await page.getByRole('button', { name: 'Change store' }).tap();
    await page.getByRole('button', { name: 'Cancel' }).tap();
    expect(await storedKey(page)).toBe(STORE_KEY);
    await page.getByRole('button', { name: 'Change store' }).tap();
    await page.getByRole('button', { name: 'Forget the key on this device' }).tap();
    expect(await storedKey(page)).toBeNull();
    expect(await page.locator('#setup-note').textContent()).toBe('The key was removed from this device.');
    expect(await page.getByRole('button', { name: 'Cancel' }).isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('makes the staff wait after three unknown codes, with the input disabled meanwhile', async () => {
    const { page, problems } = await till({ key: STORE_KEY });
    for (const code of ['AAAA-BBBB-CCCC-D', 'EEEE-FFFF-GGGG-H', 'JJJJ-KKKK-MMMM-N']) {
      await scan(page, code);
      await expect
        .poll(() => status(page).innerText())
        .toMatch(/Unknown code\s+Check the characters and try again\./);
      expect(await status(page).textContent()).toContain(code);
    }
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Too many wrong codes');
    expect(await status(page).textContent()).toContain(`wait ${RETRY_AFTER_SECONDS} seconds`);
    const code = page.getByLabel('Coupon code');
    expect(await code.isDisabled()).toBe(true);
    expect(await page.locator('#check').isDisabled()).toBe(true);
    expect(await page.locator('#check').textContent()).toMatch(/^Wait [12] s$/);
    await page.screenshot({ path: SHOT('08-rate-limit') });

    await expect.poll(() => code.isEnabled(), { timeout: (RETRY_AFTER_SECONDS + 2) * 1000 }).toBe(true);
    expect(await status(page).textContent()).toContain('You can check codes again.');
    expect(await page.locator('#check').textContent()).toBe('Check');
    expect(await focusedId(page)).toBe('code');
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    expect(problems).toEqual([]);
  });

  it('says so when the network is down, and recovers', async () => {
    const { page, problems } = await till({ key: STORE_KEY });
    await page.route('**/v1/**', (route) => route.abort('internetdisconnected'));
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('No connection to the server');
    expect(await cardTone(page)).toContain('warn');
    expect(await focusedId(page)).toBe('code');
    await page.screenshot({ path: SHOT('09-network') });
    await page.unroute('**/v1/**');
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    expect(problems).toEqual([]);
  });

  it('speaks French on a French tablet, and switches language with the toggle', async () => {
    const { page, problems } = await till({ locale: 'fr-FR' });
    await expect
      .poll(() => page.getByRole('heading', { name: 'Configurer cette caisse' }).isVisible())
      .toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.title()).toBe('Relance — Caisse');
    await page.screenshot({ path: SHOT('10-fr-setup') });
    await page.getByLabel('Clé du magasin').fill(STORE_KEY);
    await page.getByRole('button', { name: 'Enregistrer' }).tap();

    await scan(page, formatCode(CODES.redeemed).toLowerCase());
    await expect
      .poll(() => status(page).textContent())
      .toMatch(/Déjà utilisé le 12 mars( \d{4})? à 14:05 au magasin lyon-02\./);
    await page.screenshot({ path: SHOT('11-fr-already-used') });

    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Coupon valable');
    expect(await status(page).textContent()).toMatch(/Panier minimum\s*30,00\s€/);
    await page.getByLabel('Numéro de ticket').fill('T-4004');
    await page.getByLabel('Montant du panier').fill('64,90');
    await page.screenshot({ path: SHOT('12-fr-valid') });
    await page.getByRole('button', { name: 'Utiliser le coupon' }).tap();
    await expect.poll(() => status(page).textContent()).toContain('Coupon utilisé');
    expect(await status(page).textContent()).toMatch(/Ticket T-4004, panier de 64,90\s€/);
    await expect
      .poll(() => page.locator('#undo').textContent())
      .toMatch(/^Annuler l’utilisation \([45]:\d\d\)$/);
    await page.screenshot({ path: SHOT('13-fr-redeemed') });

    // EN, everything redrawn, the choice kept; then back to FR.
    await page.getByRole('button', { name: 'EN' }).tap();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await status(page).textContent()).toContain('Coupon redeemed');
    expect(await page.locator('#undo').textContent()).toMatch(/^Undo \(/);
    expect(await page.getByLabel('Coupon code').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'EN' }).getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    expect(await page.getByRole('button', { name: 'Check' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'FR' }).tap();
    expect(await page.getByRole('button', { name: 'Vérifier' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('fits a portrait tablet with large touch targets', async () => {
    const { page, problems } = await till({ key: STORE_KEY, viewport: { width: 768, height: 1024 } });
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    expect(await noHorizontalOverflow(page)).toBe(true);
    expect(await smallTargets(page, 48)).toEqual([]);
    await page.screenshot({ path: SHOT('14-portrait') });
    expect(problems).toEqual([]);
  });
});

describe('signing a customer up at the till', () => {
  const signupStatus = (page: Page) => page.locator('#signup-status');
  const lastSignup = () => fake.requests.filter((r) => r.path === '/v1/signups').at(-1);

  it('records the customer with the consents they tick, and says a confirmation email is on its way', async () => {
    const { page, problems } = await till({ key: STORE_KEY });
    expect(await page.locator('#signup').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Sign up a customer' }).tap();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign up a customer' }).isVisible()).toBe(true);
    expect(await focusedId(page)).toBe('signup-first-name');
    expect(await page.getByLabel('Language of the messages').inputValue()).toBe('en');
    expect(await smallTargets(page, 48)).toEqual([]);
    expect(await noHorizontalOverflow(page)).toBe(true);
    for (const box of ['#signup-email-consent', '#signup-sms-consent'])
      expect(await page.locator(box).isChecked()).toBe(false);

    // Nothing to sign up with: said on the field, nothing sent.
    const submit = page.getByRole('button', { name: 'Sign up', exact: true });
    await submit.tap();
    await expect
      .poll(() => page.locator('#signup-email-error').textContent())
      .toBe('Enter an email or a mobile number.');
    expect(lastSignup()).toBeUndefined();
    await page.getByLabel('Mobile number').fill('06 12 34 56 78');
    await page.getByLabel(/I agree to receive news and offers by email/).check();
    await submit.tap();
    await expect
      .poll(() => page.locator('#signup-email-error').textContent())
      .toBe('Email consent needs an email address.');
    expect(lastSignup()).toBeUndefined();

    await page.getByLabel('First name').fill('Zoé');
    await page.getByLabel('Email', { exact: true }).fill('zoe@example.fr');
    await page.getByLabel(/I agree to receive news and offers by SMS/).check();
    await page.screenshot({ path: SHOT('15-signup-form') });
    await submit.tap();
    await expect.poll(() => signupStatus(page).textContent()).toContain('Zoé is signed up');
    const text = await signupStatus(page).textContent();
    expect(text).toContain('We ask zoe@example.fr to confirm by email');
    expect(text).toContain('SMS consent recorded for 06 12 34 56 78.');
    expect(await signupStatus(page).getAttribute('class')).toContain('ok');
    expect(lastSignup()).toEqual({
      method: 'POST',
      path: '/v1/signups',
      authorization: `Bearer ${STORE_KEY}`,
      body: {
        firstName: 'Zoé',
        email: 'zoe@example.fr',
        phone: '06 12 34 56 78',
        emailConsent: true,
        smsConsent: true,
        locale: 'en',
      },
    });
    // Ready for the next customer: the form is empty, the boxes unticked.
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe('');
    expect(await page.locator('#signup-email-consent').isChecked()).toBe(false);
    expect(await focusedId(page)).toBe('signup-first-name');
    await page.screenshot({ path: SHOT('16-signup-done') });

    // An address that unsubscribed before gets the same words: the till learns nothing of the file.
    await page.getByLabel('Email', { exact: true }).fill(UNSUBSCRIBED_EMAIL);
    await page.getByLabel(/I agree to receive news and offers by email/).check();
    await submit.tap();
    await expect
      .poll(() => signupStatus(page).textContent())
      .toContain(`We ask ${UNSUBSCRIBED_EMAIL} to confirm`);

    // The server refuses the number: said on the field.
    await page.getByLabel('Mobile number').fill('12');
    await submit.tap();
    await expect
      .poll(() => page.locator('#signup-phone-error').textContent())
      .toBe('This mobile number does not look right.');
    expect(await focusedId(page)).toBe('signup-phone');

    // Back to the coupons: the panel closes and the scanner types into the code again.
    await page.getByRole('button', { name: 'Back to coupons' }).tap();
    expect(await page.locator('#signup').isHidden()).toBe(true);
    await scan(page, CODES.percent);
    await expect.poll(() => status(page).textContent()).toContain('Valid coupon');
    expect(problems).toEqual([]);
  });

  it('speaks French, and a marketer key is sent back to the setup', async () => {
    const { page, problems } = await till({ locale: 'fr-FR', key: MARKETER_KEY });
    await page.getByRole('button', { name: 'Nouvelle inscription' }).tap();
    expect(await page.getByLabel('Langue des messages').inputValue()).toBe('fr');
    await page.getByLabel('Prénom').fill('Léa');
    await page.getByLabel('Email', { exact: true }).fill('lea@example.fr');
    await page.getByLabel(/J’accepte de recevoir les actualités et offres par email/).check();
    await page.getByRole('button', { name: 'Inscrire', exact: true }).tap();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Cette clé n’est pas une clé de magasin. Saisissez la clé de ce magasin.');

    await page.getByLabel('Clé du magasin').fill(STORE_KEY);
    await page.getByRole('button', { name: 'Enregistrer' }).tap();
    await page.getByLabel(/J’accepte de recevoir les actualités et offres par email/).check();
    await page.getByRole('button', { name: 'Inscrire', exact: true }).tap();
    await expect.poll(() => signupStatus(page).textContent()).toContain('Léa est inscrit(e)');
    expect(await signupStatus(page).textContent()).toContain(
      'Nous demandons à lea@example.fr de confirmer par email',
    );
    expect(lastSignup()?.body).toMatchObject({ locale: 'fr', email: 'lea@example.fr', emailConsent: true });
    await page.screenshot({ path: SHOT('17-fr-signup-done') });

    // The outcome follows the language toggle.
    await page.getByRole('button', { name: 'EN' }).tap();
    expect(await signupStatus(page).textContent()).toContain('Léa is signed up');
    expect(problems).toEqual([]);
  });
});

describe("the till page's script", () => {
  it('comes bundled from /assets, cached for good, under a CSP without inline scripts, and logs no error', async () => {
    if (!browser) throw new Error('Chromium did not start');
    const context = await browser.newContext({ viewport: TABLET, hasTouch: true, locale: 'en-GB' });
    open.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    const scripts: { url: string; status: number; headers: Record<string, string> }[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script')
        scripts.push({ url: response.url(), status: response.status(), headers: response.headers() });
    });

    const response = await page.goto(`${fake.url}/till`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    await expect.poll(() => page.getByRole('heading', { name: 'Set up this till' }).isVisible()).toBe(true);

    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.url).toMatch(/\/assets\/till-[A-Z0-9]{8}\.js$/);
    expect(scripts[0]?.url.startsWith(`${fake.url}/assets/`)).toBe(true);
    expect(scripts[0]).toMatchObject({
      status: 200,
      headers: {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      },
    });
    expect(errors).toEqual([]);
  });
});
