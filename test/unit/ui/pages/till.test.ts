import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../../functions/http/html';
import { TILL_TEXT } from '../../../../functions/ui/browser/till/text';
import { TILL_PAGE_POLICY, tillPage } from '../../../../functions/ui/pages/till';
import { buildBrowserAssets } from '../../../../infra/browser-assets';

const SCRIPT_URL = 'assets/till-5KQ3ZP2L.js';
const html = tillPage(SCRIPT_URL);
const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
/** The document without its script element: the markup and the style sheet. */
const markup = html.replace(scripts[0]?.[0] ?? '', '');
/** The page's behaviour, as the front-end build bundles it and `GET /assets/{name}` serves it. */
let script = '';

beforeAll(async () => {
  const built = await buildBrowserAssets();
  const file = built.files.get(built.manifest.entries.till ?? '');
  script = file ? Buffer.from(file).toString('utf8') : '';
});

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('tillPage', () => {
  it('is one complete document whose only external resource is its own script: no style, image, font or link', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(markup).not.toMatch(/\s(?:src|href|srcset|action|formaction|poster|data)\s*=/i);
    expect(markup).not.toMatch(/<(?:link|iframe|img|object|embed|base)\b/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    expect(html).not.toMatch(/https?:\/\//i);
    // Under its CSP, inline scripts, inline handlers and eval would be refused: there are none.
    expect(markup).not.toMatch(/\son[a-z]+\s*=/i);
    expect(script).not.toMatch(/\beval\(|new Function|setTimeout\(\s*['"]/);
    expect(contentSecurityPolicy(TILL_PAGE_POLICY)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it('loads its behaviour from one script of its own origin that parses, talks to its own origin and writes text only', () => {
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[1]).toBe(` src="${SCRIPT_URL}"`);
    expect(scripts[0]?.[2]).toBe('');
    expect(script.length).toBeGreaterThan(1000);
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain('v1/coupons/');
    expect(script).toContain('v1/signups');
    expect(script).toContain('fetch(');
    expect(script).toContain('Bearer ');
    expect(script).toContain('localStorage');
    expect(script).toContain('navigator.language');
    expect(script).toContain('Retry-After');
    // Data from the API is written with textContent, never parsed as HTML.
    expect(script).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment/,
    );
    expect(script).toContain('textContent');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('has every string in English and in French, with the same placeholders', () => {
    const en = Object.keys(TILL_TEXT.en).sort();
    expect(Object.keys(TILL_TEXT.fr).sort()).toEqual(en);
    for (const key of en) {
      const english = TILL_TEXT.en[key as keyof typeof TILL_TEXT.en];
      const french = TILL_TEXT.fr[key as keyof typeof TILL_TEXT.fr];
      expect(english.trim(), key).not.toBe('');
      expect(french.trim(), key).not.toBe('');
      expect(placeholders(french), key).toEqual(placeholders(english));
    }
    // The document is in English; both languages are in its script, to switch between them.
    expect(html).toContain('Redeem');
    for (const text of [
      'Redeem',
      'Utiliser le coupon',
      'Already used on {date} at {time} in store {store}.',
      'Déjà utilisé le {date} à {time} au magasin {store}.',
    ])
      expect(script).toContain(text);
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<button type="button" data-lang="fr" lang="fr" aria-pressed="false">FR<\/button>/);
    expect(html).toMatch(/<button type="button" data-lang="en" lang="en" aria-pressed="true">EN<\/button>/);
  });

  it('has the landmarks, labelled inputs and buttons the staff and screen readers need', () => {
    expect(html).toMatch(/<header\b/);
    expect(html).toMatch(/<main>/);
    expect(html).toMatch(/<form id="code-form" role="search"/);
    for (const id of ['key', 'till', 'code', 'receipt', 'basket', 'currency']) {
      expect(html, id).toMatch(new RegExp(`<label for="${id}"`));
      expect(html, id).toMatch(new RegExp(`<(?:input|select) id="${id}"`));
    }
    expect(html).toMatch(/<input id="code"[^>]*\bautofocus\b/);
    expect(html).toMatch(/<input id="code"[^>]*autocomplete="off"/);
    expect(html).toMatch(/<input id="basket"[^>]*inputmode="decimal"/);
    expect(html).toMatch(/<input id="key"[^>]*type="password"/);
    expect(html).toMatch(
      /<div id="status" class="status" role="status" aria-live="polite" aria-atomic="true">/,
    );
    expect(html).toMatch(/<button type="submit" id="check"/);
    expect(html).toMatch(/<button type="submit" id="redeem"/);
    expect(html).toMatch(/<button type="button" id="undo"/);
    expect(html).toMatch(/<button type="button" id="change-store"/);
    // The sign-up form: every field labelled, each consent a checkbox of its own, never ticked in advance.
    for (const id of ['signup-first-name', 'signup-locale', 'signup-email', 'signup-phone']) {
      expect(html, id).toMatch(new RegExp(`<label for="${id}"`));
      expect(html, id).toMatch(new RegExp(`<(?:input|select) id="${id}"`));
    }
    for (const id of ['signup-email-consent', 'signup-sms-consent']) {
      expect(html, id).toMatch(
        new RegExp(`<label class="check" for="${id}">\\s*<input id="${id}"[^>]*type="checkbox">`),
      );
      expect(html, id).not.toMatch(new RegExp(`<input id="${id}"[^>]*\\bchecked\\b`));
    }
    expect(html).toMatch(/<input id="signup-email"[^>]*type="email"/);
    expect(html).toMatch(/<input id="signup-phone"[^>]*type="tel"/);
    expect(html).toMatch(/<button type="submit" id="signup-submit"/);
    expect(html).toMatch(/<section id="signup" class="panel"[^>]*hidden>/);
    // Every button says what it is.
    expect(html.match(/<button\b(?![^>]*\btype=)/g)).toBeNull();
  });

  it('has an element for every id its script looks up', () => {
    const dom = readFileSync(
      new URL('../../../../functions/ui/browser/till/dom.ts', import.meta.url),
      'utf8',
    );
    const ids = [...dom.matchAll(/byId(?:<\w+>)?\('([a-z-]+)'\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(40);
    expect(ids.filter((id) => !html.includes(` id="${id}"`))).toEqual([]);
  });

  it('is the same document every time for a given script, and holds no secret', () => {
    expect(tillPage(SCRIPT_URL)).toBe(html);
    expect(html).not.toMatch(/Bearer [A-Za-z0-9]/);
    expect(script).not.toMatch(/Bearer [A-Za-z0-9]|rl_(?:store|mkt)_/);
    expect(tillPage('assets/x.js?"><b>')).toContain('src="assets/x.js?&quot;&gt;&lt;b&gt;"');
  });
});
