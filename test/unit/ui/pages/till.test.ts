import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { TILL_PAGE_CSP, TILL_TEXT, tillPage } from '../../../../functions/ui/pages/till';

const html = tillPage();
const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
const script = scripts[0]?.[2] ?? '';
/** The document without its script: the markup and the style sheet. */
const markup = html.replace(script, '');

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('tillPage', () => {
  it('is one complete, self-contained document: no external script, style, image, font or link', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(markup).not.toMatch(/\s(?:src|href|srcset|action|formaction|poster|data)\s*=/i);
    expect(markup).not.toMatch(/<(?:link|iframe|img|object|embed|base)\b/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    expect(html).not.toMatch(/https?:\/\//i);
    // Under its CSP, inline handlers and eval would be refused: there are none.
    expect(markup).not.toMatch(/\son[a-z]+\s*=/i);
    expect(script).not.toMatch(/\beval\(|new Function|setTimeout\(\s*['"]/);
    expect(TILL_PAGE_CSP).toBe(
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    );
  });

  it('carries its behaviour as one inline script that parses, talks to its own origin and writes text only', () => {
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[1]).toBe('');
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain("'v1/coupons/'");
    expect(script).toContain("'v1/signups'");
    expect(script).toContain('fetch(');
    expect(script).toContain("'Bearer '");
    expect(script).toContain('localStorage');
    expect(script).toContain('navigator.language');
    expect(script).toContain('Retry-After');
    // Data from the API is written with textContent, never parsed as HTML.
    expect(script).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment/,
    );
    expect(script).toContain('textContent');
    // The embedded strings cannot close the script element.
    expect(script.toLowerCase()).not.toContain('</');
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
    // Both languages are in the document, for the script to switch between them.
    for (const text of ['Redeem', 'Utiliser le coupon', 'Already used on {date} at {time} in store {store}.'])
      expect(html).toContain(text);
    expect(html).toContain('Déjà utilisé le {date} à {time} au magasin {store}.');
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

  it('is the same document every time and holds no secret', () => {
    expect(tillPage()).toBe(html);
    expect(html).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});
