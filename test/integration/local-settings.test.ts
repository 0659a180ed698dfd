import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, describeSettings, settingsFromEnvironment } from '../../infra/local/settings';
import { consent, mailTo, startTestStack, type TestStack, waitForCampaign } from './helpers';

/** What a shell would hand `npm start`: function settings, a variable the stack owns, and the rest. */
const shellEnv = {
  COMPANY_NAME: 'Boulangerie Le Goff',
  COMPANY_ADDRESS: '3 place du Marché, 29200 Brest, France',
  COST_POSTAL_LETTER: '2.40',
  FREQUENCY_CAP: '3/7',
  SMS_QUIET_HOURS: '',
  TABLE_NAME: 'relance-prod-main',
  AWS_REGION: 'us-east-1',
  HOME: '/home/someone',
  RELANCE_PORT: '3000',
};

/** Runs `npm start`'s entry with these variables; resolves with its output once `until` matches or it exits. */
function npmStart(env: Record<string, string>, until: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: { ...process.env, RELANCE_PORT: '0', RELANCE_SES_PORT: '0', RELANCE_DATA_DIR: ':memory:', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out:\n${out}`)), 30_000);
    const check = () => {
      if (until.test(out) || child.exitCode !== null) {
        clearTimeout(timer);
        resolve(out);
      } else setTimeout(check, 50);
    };
    check();
  });
  return { child, exit, ready };
}

describe('the functions’ settings from the environment', () => {
  it('takes every variable of the config schema that is set, but those the local stack sets itself', () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining([
        'COMPANY_NAME',
        'COMPANY_ADDRESS',
        'FREQUENCY_CAP',
        'SMS_QUIET_HOURS',
        'COST_CURRENCY',
        'COST_EMAIL_PER_1000',
        'COST_SMS_PER_SEGMENT',
        'COST_SMS_PER_SEGMENT_BY_COUNTRY',
        'COST_POSTAL_LETTER',
        'SEND_RATE_PER_SECOND',
        'PUBLIC_BASE_URL',
        'WEBHOOK_BACKOFF_SECONDS',
        'TABLE_NAME',
        'MAX_CSV_BYTES',
      ]),
    );
    expect(CONFIG_VARIABLES).not.toContain('HOME');
    const { settings, ignored } = settingsFromEnvironment(shellEnv);
    // An empty variable counts as unset; the stack's own tables and region are never taken.
    expect(settings).toEqual({
      COMPANY_NAME: 'Boulangerie Le Goff',
      COMPANY_ADDRESS: '3 place du Marché, 29200 Brest, France',
      COST_POSTAL_LETTER: '2.40',
      FREQUENCY_CAP: '3/7',
    });
    expect([...ignored].sort()).toEqual(['AWS_REGION', 'TABLE_NAME']);
  });

  it('describes only the settings that change something, against the local defaults', () => {
    const lines = describeSettings(
      { COMPANY_NAME: 'Relance Demo', REQUEUE_DELAY_SECONDS: '2' },
      {
        FREQUENCY_CAP: '2/7',
        COST_POSTAL_LETTER: '1.60', // the default, written otherwise
        REQUEUE_DELAY_SECONDS: '2',
        COMPANY_NAME: 'Maison Kerbriant',
        WEBHOOK_BACKOFF_SECONDS: '10,60',
        PUBLIC_BASE_URL: 'https://relance.example.org',
      },
    );
    expect(lines).toEqual([
      '• FREQUENCY_CAP=2/7 (default: none)',
      '• COMPANY_NAME=Maison Kerbriant (default: Relance Demo)',
      '• WEBHOOK_BACKOFF_SECONDS=10,60 (default: 30,120,600,3600,21600)',
      "• PUBLIC_BASE_URL=https://relance.example.org (default: the stack's own URL)",
    ]);
    expect(() => describeSettings({}, { SMS_QUIET_HOURS: '9pm-8am' })).toThrow(
      /SMS_QUIET_HOURS: Use HH:MM-HH:MM/,
    );
  });
});

describe('a local stack started with function settings in its environment', () => {
  let s: TestStack | undefined;
  afterAll(() => s?.stop());

  it('signs its emails with the company, prices the report with the letter cost, and lists the settings', async () => {
    s = await startTestStack({ env: settingsFromEnvironment(shellEnv).settings });
    expect(s.settings).toEqual([
      '• COMPANY_NAME=Boulangerie Le Goff (default: Relance Demo)',
      '• COMPANY_ADDRESS=3 place du Marché, 29200 Brest, France (default: 12 rue des Halles, 75001 Paris, France)',
      '• COST_POSTAL_LETTER=2.40 (default: 1.6)',
      '• FREQUENCY_CAP=3/7 (default: none)',
    ]);
    const address = `settings-${Date.now()}@example.fr`;
    const put = await s.call('PUT', '/v1/contacts', {
      json: { email: address, firstName: 'Anne', tags: ['settings'], consent: { email: consent() } },
    });
    expect(put.status).toBeLessThan(300);
    const created = await s.call('POST', '/v1/campaigns', {
      json: {
        name: 'Settings',
        channel: 'email',
        template: 'winback',
        segment: { tags: { any: ['settings'] } },
        from: { name: 'Le Goff', address: 'bonjour@legoff.test' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await s.call('POST', `/v1/campaigns/${id}/send`)).status).toBe(202);
    expect((await waitForCampaign(s, id)).counts).toMatchObject({ targeted: 1, sent: 1 });

    const [mail] = await mailTo(s, address);
    expect(mail?.html).toContain('Boulangerie Le Goff');
    expect(mail?.html).toContain('3 place du Marché, 29200 Brest, France');
    expect(mail?.html).not.toContain('12 rue des Halles');
    expect(mail?.text).toContain('3 place du Marché, 29200 Brest, France');

    const report = await s.call('GET', `/v1/campaigns/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.body.cost.postal).toEqual({ letters: 1, perLetter: 2.4, cost: 2.4 });
  });

  it('refuses to start on an invalid value, naming the variable, before any emulator starts', async () => {
    await expect(startTestStack({ env: { FREQUENCY_CAP: 'twice a week' } })).rejects.toThrow(
      /FREQUENCY_CAP: Use messages\/days, e.g. 2\/7/,
    );
  });
});

describe('npm start', () => {
  it('prints the settings it takes from its environment, and the variables it ignores', async () => {
    const run = npmStart(
      { FREQUENCY_CAP: '2/7', COMPANY_NAME: 'Maison Kerbriant', TABLE_NAME: 'relance-prod-main' },
      /API\s+http/,
    );
    const out = await run.ready;
    expect(out).toContain('Settings from the environment:');
    expect(out).toContain('    • FREQUENCY_CAP=2/7 (default: none)');
    expect(out).toContain('    • COMPANY_NAME=Maison Kerbriant (default: Relance Demo)');
    expect(out).toMatch(/Ignored \(the local stack sets its own\): .*TABLE_NAME/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('does not start with an invalid setting, and says which', async () => {
    const run = npmStart({ FREQUENCY_CAP: 'twice a week' }, /could not start/);
    expect(await run.exit).toBe(1);
    const out = await run.ready;
    expect(out).toContain(
      'Relance could not start: Invalid configuration: FREQUENCY_CAP: Use messages/days, e.g. 2/7',
    );
    expect(out).not.toContain('Relance is running');
  });
});
