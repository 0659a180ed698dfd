import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { compileEmailTemplate } from '../../../../functions/domain/templates/compile';
import {
  liquidOptions,
  type MessageVars,
  prepareEmail,
  renderSpecialised,
  specialiseEmail,
  storeVars,
} from '../../../../functions/domain/templates/render';
import { COUPON, STORE, sampleVars, TEMPLATES_DIR } from '../../../support/templates-sample';

/** The reference: the whole template rendered by liquidjs in one go, no pre-rendering. */
const plainHtml = new Liquid({ ...liquidOptions, outputEscape: 'escape' });

describe('specialised rendering', () => {
  const recipients: Partial<MessageVars>[] = [
    { contact: { id: 'c1', firstName: 'Zoé' } },
    { contact: { id: 'c2' } },
    { contact: { id: 'c3', firstName: '<script>' }, coupon: COUPON },
    { contact: { id: 'c4', firstName: 'Léa' }, unsubscribeUrl: 'https://x.test/u/other', coupon: COUPON },
  ];

  for (const name of ['winback', 'store-event']) {
    for (const locale of ['fr', 'en']) {
      it(`${name}/${locale}: one specialisation serves every recipient exactly as a full render would`, async () => {
        const compiled = await compileEmailTemplate(
          await readFile(join(TEMPLATES_DIR, name, `${locale}.mjml`), 'utf8'),
        );
        const prepared = prepareEmail(compiled);
        const shared = sampleVars({ store: storeVars(STORE, locale) });
        const spec = specialiseEmail(prepared, shared);
        // Most of the HTML is shared: far fewer live pieces than parsed ones.
        expect(spec.html.length).toBeLessThan(prepared.html.length);
        for (const r of recipients) {
          const vars = sampleVars({ store: shared.store, ...r });
          const mine = renderSpecialised(spec, vars);
          const subject = mine.subject;
          const preheader = String(plainHtml.parseAndRenderSync(compiled.preheader, vars))
            .replace(/\s+/g, ' ')
            .trim();
          const reference = String(
            plainHtml.parseAndRenderSync(compiled.html, { ...vars, subject, preheader }),
          );
          expect(mine.html).toBe(reference);
        }
      });
    }
  }

  it('keeps pieces that assign variables live, so later pieces still see them', () => {
    const engine = new Liquid({ ...liquidOptions });
    const compiled = {
      subject: 'Hi',
      preheader: '',
      html: '{{ store.name }}|{% assign who = contact.firstName | default: "you" %}|{{ company.name }} for {{ who }}',
      text: '{{ who }}',
    };
    const spec = specialiseEmail(prepareEmail(compiled), sampleVars());
    const a = renderSpecialised(spec, sampleVars({ contact: { id: '1', firstName: 'Ana' } }));
    const b = renderSpecialised(spec, sampleVars({ contact: { id: '2' } }));
    expect(a.html).toBe(
      String(
        engine.parseAndRenderSync(compiled.html, sampleVars({ contact: { id: '1', firstName: 'Ana' } })),
      ),
    );
    expect(a.html).toMatch(/for Ana$/);
    expect(b.html).toMatch(/for you$/);
  });
});
