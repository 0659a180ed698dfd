import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../functions/domain/shared/errors';
import { compileEmailTemplate, splitFrontMatter } from '../../../../functions/domain/templates/compile';
import { TEMPLATES_DIR } from '../../../support/templates-sample';

const SHIPPED = ['winback/fr', 'winback/en', 'store-event/fr', 'store-event/en'];
const source = (name: string) => readFileSync(join(TEMPLATES_DIR, `${name}.mjml`), 'utf8');

/**
 * A minimal template whose `content` starts on line 9:
 * 1 ---, 2 subject, 3 preheader, 4 ---, 5 <mjml>, 6 <mj-body>, 7 <mj-section>, 8 <mj-column>.
 */
const minimal = (content: string, header = 'subject: Hello {{ contact.firstName }}\npreheader: Hi') =>
  [
    '---',
    header,
    '---',
    '<mjml>',
    '  <mj-body>',
    '    <mj-section>',
    '      <mj-column>',
    content,
    '      </mj-column>',
    '    </mj-section>',
    '  </mj-body>',
    '</mjml>',
    '',
  ].join('\n');

async function failure(template: string): Promise<AppError> {
  const error = await compileEmailTemplate(template, { file: 't.mjml' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.status).toBe(400);
  expect(appError.issues.length).toBeGreaterThan(0);
  for (const issue of appError.issues) expect(issue.path).toBe('template');
  return appError;
}
const messages = (error: AppError) => error.issues.map((i) => i.message);

describe('compileEmailTemplate: the shipped templates', () => {
  it.each(SHIPPED)('%s compiles in strict mode into four Liquid templates', async (name) => {
    const compiled = await compileEmailTemplate(source(name), { file: `${name}.mjml` });
    expect(compiled.subject).toContain('{{');
    expect(compiled.preheader.length).toBeGreaterThan(0);
    expect(compiled.html).toMatch(/^<!doctype html>/i);
    for (const variable of ['unsubscribeUrl', 'viewInBrowserUrl', 'company.name', 'company.address']) {
      expect(compiled.html).toContain(`{{ ${variable} }}`);
    }
    expect(compiled.html).toContain('{{ contact.firstName | default: "');
    expect(compiled.html).toContain('{{ preheader }}');
    // The coupon block is wrapped in Liquid that survived MJML, around whole sections.
    expect(compiled.html).toMatch(/\{% if coupon %\}\s*<!--\[if mso \| IE\]>/);
    expect(compiled.html).toContain('{{ coupon.barcodeUrl }}');
    expect(compiled.text).toContain('[{{ unsubscribeUrl }}]');
    expect(compiled.text).toContain('[{{ coupon.printUrl }}]');
  });

  it.each(SHIPPED)('%s loads nothing from outside: every src and href is a variable', async (name) => {
    const { html } = await compileEmailTemplate(source(name));
    expect(html).not.toMatch(/<link\b|@import|fonts\.googleapis/);
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(url).toMatch(/^\{\{ [a-zA-Z.]+ \}\}$/);
  });

  it.each(SHIPPED)('%s has a plain-text part with no HTML and no hidden preheader', async (name) => {
    const { text } = await compileEmailTemplate(source(name));
    expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
    expect(text).not.toContain('{{ preheader }}');
    expect(text).toContain('{{ company.address }}');
  });
});

describe('compileEmailTemplate: errors point at the file and line', () => {
  it('reports an unknown MJML tag with its line', async () => {
    const error = await failure(minimal('        <mj-txt>Hello</mj-txt>'));
    expect(messages(error)).toEqual([
      expect.stringMatching(/^t\.mjml:9: MJML: Element mj-txt doesn't exist/),
    ]);
  });

  it('reports an illegal MJML attribute with its line', async () => {
    const error = await failure(
      minimal('        <mj-text>ok</mj-text>\n        <mj-text colr="red">x</mj-text>'),
    );
    expect(messages(error)).toEqual(['t.mjml:10: MJML: Attribute colr is illegal']);
  });

  it('reports an unclosed MJML tag, which mjml itself lets through', async () => {
    const error = await failure(minimal('        <mj-text>Hello'));
    expect(messages(error)).toEqual(['t.mjml:9: <mj-text> is never closed']);
  });

  it('reports a mismatched closing tag', async () => {
    const error = await failure(minimal('        <mj-section>'));
    expect(messages(error)).toEqual([
      't.mjml:10: </mj-column> found where <mj-section> (line 9) should be closed',
    ]);
  });

  it('reports an unclosed Liquid tag with its line', async () => {
    const error = await failure(
      minimal('        <mj-text>\n          {% if coupon %}Gift\n        </mj-text>'),
    );
    expect(messages(error)).toEqual(['t.mjml:10: Liquid: tag {% if coupon %} not closed']);
  });

  it('reports an unknown Liquid filter (filters are strict)', async () => {
    const error = await failure(minimal('        <mj-text>{{ contact.firstName | shout }}</mj-text>'));
    expect(messages(error)).toEqual(['t.mjml:9: Liquid: undefined filter: shout']);
  });

  it('reports broken Liquid in the subject at the subject line', async () => {
    const error = await failure(
      minimal('        <mj-text>x</mj-text>', 'preheader: Hi\nsubject: Hello {{ name'),
    );
    expect(messages(error)).toEqual([
      expect.stringMatching(/^t\.mjml:3: Liquid: output "\{\{ name" not closed/),
    ]);
  });

  it('refuses Liquid that MJML would drop silently', async () => {
    const error = await failure(
      minimal('        {% if coupon %}\n        <mj-text>Gift</mj-text>\n        {% endif %}'),
    );
    expect(messages(error)).toEqual([
      't.mjml:9: MJML dropped {% if coupon %}: put Liquid inside <mj-text>, <mj-button>, an attribute, or <mj-raw>',
      't.mjml:11: MJML dropped {% endif %}: put Liquid inside <mj-text>, <mj-button>, an attribute, or <mj-raw>',
    ]);
  });

  it('accepts the same condition written with mj-raw around whole sections', async () => {
    const template = [
      '---',
      'subject: Hi',
      '---',
      '<mjml><mj-body>',
      '<mj-raw>{% if coupon %}</mj-raw>',
      '<mj-section><mj-column><mj-text>{{ coupon.code }}</mj-text></mj-column></mj-section>',
      '<mj-raw>{% endif %}</mj-raw>',
      '</mj-body></mjml>',
    ].join('\n');
    const { html } = await compileEmailTemplate(template);
    expect(html).toMatch(/\{% if coupon %\}[\s\S]*\{\{ coupon\.code \}\}[\s\S]*\{% endif %\}/);
  });

  it('refuses include, render and layout: templates cannot read files', async () => {
    const error = await failure(minimal("        <mj-text>{% include 'secrets' %}</mj-text>"));
    expect(messages(error)[0]).toMatch(/^t\.mjml:9: \{% include 'secrets' %\} is not available/);
  });

  it('refuses a template without front matter', async () => {
    const error = await failure('<mjml><mj-body></mj-body></mjml>');
    expect(messages(error)[0]).toMatch(/^t\.mjml:1: A template starts with a front-matter block/);
  });

  it('refuses unknown front-matter keys, and a missing subject', async () => {
    const error = await failure(minimal('<mj-text>x</mj-text>', 'preheader: Hi\nsubjet: Hello'));
    expect(messages(error)).toEqual([
      't.mjml:3: Unknown front-matter key "subjet"; use subject, preheader',
      't.mjml:2: Front matter needs a "subject"',
    ]);
  });

  it('reports a YAML syntax error at its line', async () => {
    const error = await failure(minimal('<mj-text>x</mj-text>', 'subject: Hello\npreheader: "unterminated'));
    expect(messages(error)[0]).toMatch(/^t\.mjml:3: Front matter: /);
  });

  it('names the template "template" when no file is given', async () => {
    const error = await compileEmailTemplate('no front matter').catch((e: AppError) => e);
    expect((error as AppError).issues[0]?.message).toMatch(/^template:1: /);
  });
});

describe('compileEmailTemplate: details', () => {
  it('adds the preheader as the inbox preview when the template has no mj-preview', async () => {
    const { html } = await compileEmailTemplate(minimal('        <mj-text>x</mj-text>'));
    expect(html).toMatch(/<div style="display:none;[^"]*">\{\{ preheader \}\}<\/div>/);
  });

  it('keeps line numbers of the file in MJML errors despite the front matter', async () => {
    const header = 'subject: >\n  A folded\n  subject\npreheader: Hi';
    const error = await failure(minimal('        <mj-txt>x</mj-txt>', header));
    expect(messages(error)[0]).toMatch(/^t\.mjml:11: /);
  });

  it('splits the front matter and blanks its lines in the body', () => {
    const split = splitFrontMatter('---\nsubject: "Hi {{ x }}"\n---\n<mjml></mjml>');
    expect(split.meta).toEqual({ subject: 'Hi {{ x }}', preheader: '' });
    expect(split.body).toBe('\n\n\n<mjml></mjml>');
    expect(split.lines.subject).toBe(2);
  });

  it('leaves css-class="html-only" content out of the text part', async () => {
    const compiled = await compileEmailTemplate(
      minimal('        <mj-text css-class="html-only">Scan me</mj-text>\n        <mj-text>Keep me</mj-text>'),
    );
    expect(compiled.html).toContain('Scan me');
    expect(compiled.text).not.toContain('Scan me');
    expect(compiled.text).toContain('Keep me');
  });

  it('does not keep authoring comments in the HTML', async () => {
    const { html } = await compileEmailTemplate(
      minimal('        <!-- note for authors -->\n        <mj-text>x</mj-text>'),
    );
    expect(html).not.toContain('note for authors');
  });
});
