import { readFileSync } from 'node:fs';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { systemClock } from '../../functions/adapters/clock';
import { SesMessenger } from '../../functions/adapters/ses';
import type { Campaign } from '../../functions/domain/campaigns/campaign';
import { buildEmail, MessageCache, prepareContent } from '../../functions/domain/campaigns/message';
import type { Contact } from '../../functions/domain/contacts/contact';
import { keyringFromSecret } from '../../functions/domain/shared/hashing';
import type { Store } from '../../functions/domain/stores/store';
import { compileEmailTemplate } from '../../functions/domain/templates/compile';
import { prepareEmail, renderEmail, storeVars } from '../../functions/domain/templates/render';
import { type BenchResult, timePerCall } from './lib';

const ring = keyringFromSecret('bench-secret-bench-secret-bench-secret-0001');
const store: Store = {
  id: 'paris',
  name: 'Relance Paris Oberkampf',
  address: '112 rue Oberkampf',
  postcode: '75011',
  city: 'Paris',
  country: 'FR',
  openingHours: { tue: ['10:00-19:30'], sat: ['09:30-20:00'] },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

/**
 * The sender's per-recipient work (Liquid render of the precompiled template,
 * token signing, building the SES SendEmail request with a stubbed client)
 * against the naive alternative of compiling the MJML for every recipient.
 */
export async function benchSenderRender(): Promise<BenchResult[]> {
  const source = readFileSync('templates/email/winback/fr.mjml', 'utf8');
  const compiled = await compileEmailTemplate(source, { file: 'winback/fr.mjml' });
  const content = prepareContent({
    campaignId: 'cmp_bench',
    defaultLocale: 'fr',
    byLocale: { fr: compiled },
  });
  const campaign = {
    id: 'cmp_bench',
    name: 'Bench',
    channel: 'email',
    template: 'winback',
    segment: {},
    from: { name: 'Relance', address: 'hello@relance.test' },
    baseUrl: 'https://relance.example',
  } as unknown as Campaign;
  const company = { name: 'Relance', address: '12 rue des Halles, 75001 Paris' };
  // The provider call is stubbed: the adapter builds the SendEmail command, the client answers at once.
  const ses = new SESv2Client({
    region: 'eu-west-3',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  let lastCommand: unknown;
  ses.send = (async (command: unknown) => {
    lastCommand = command;
    return { MessageId: 'stub', $metadata: {} };
  }) as typeof ses.send;
  const messenger = new SesMessenger(ses, 'relance');
  let i = 0;
  const contact = (): Contact & { email: string } => {
    i++;
    return {
      id: `c_${i}`,
      email: `client${i}@example.com`,
      firstName: `Client ${i}`,
      locale: 'fr',
      homeStoreId: 'paris',
      tags: [],
      attributes: {},
      consent: {},
      suppressed: [],
      purchases: { store: 0, web: 0, phone: 0 },
      createdAt: '',
      updatedAt: '',
    };
  };

  // One cache for the run, as one sender instance keeps it across its jobs.
  const cache = new MessageCache();
  const senderMs = await timePerCall(async () => {
    const { email } = await buildEmail(
      { company, clock: systemClock, timeZone: 'Europe/Paris', cache },
      ring,
      campaign,
      content,
      contact(),
      store,
    );
    await messenger.send(email);
  });
  if (!lastCommand) throw new Error('The SES stub was never called');
  const compileMs = await timePerCall(
    async () => {
      const c = contact();
      const perRecipient = await compileEmailTemplate(source, { file: 'winback/fr.mjml' });
      await renderEmail(prepareEmail(perRecipient), {
        contact: { id: c.id, firstName: c.firstName ?? '' },
        store: storeVars(store, 'fr'),
        unsubscribeUrl: 'https://relance.example/u/x',
        viewInBrowserUrl: 'https://relance.example/v/x',
        company,
        campaign: { id: campaign.id, name: campaign.name },
      });
    },
    { warmup: 5, minMs: 3000 },
  );
  const ratio = compileMs / senderMs;
  return [
    {
      name: 'sender path per recipient (render + tokens + SES request)',
      unit: 'ms',
      value: senderMs,
      baseline: 'compile MJML per recipient',
      baselineValue: compileMs,
      ratio,
      ratioMeaning: 'baseline ÷ value: times faster',
      target: '≥ 100×',
      met: ratio >= 100,
    },
  ];
}
