import { describe, expect, it } from 'vitest';
import type { RelanceFunction } from '../../infra/function';
import type { RelanceStack } from '../../infra/stack';
import { actionsOf, inspect, makeStack, NO_BUNDLING, resourcesOf } from './helpers';

/** `arn:${Partition}:ses:${Region}:${AccountId}:${resource}`, as Stack.formatArn renders it. */
const sesArn = (...resource: unknown[]) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ...resource,
    ],
  ],
});

function synth(context: Record<string, unknown> = {}) {
  const { stack } = makeStack({ ...NO_BUNDLING, ...context });
  const inspected = inspect(stack);
  const signups = stack.api.functions.get('signups') as RelanceFunction;
  const sender = stack.sending.functions.get('sender') as RelanceFunction;
  return {
    stack,
    ...inspected,
    signups,
    sender,
    env: inspected.lambdaOf(signups).Properties.Environment.Variables,
    ses: (fn: RelanceFunction) =>
      inspected.statementsOf(fn).filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:'))),
  };
}

describe('signups', () => {
  it('may send email exactly as the sender does: SendEmail as the identity, through the configuration set', () => {
    const { stack, logicalId, signups, sender, ses } = synth({ senderIdentity: 'news@shop.example' });
    const configurationSet = (s: RelanceStack) => ({ Ref: logicalId(s.sending.configurationSet) });
    expect(ses(signups)).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        // In IAM's order (minimised policies sort them).
        Resource: [
          sesArn(':configuration-set/', configurationSet(stack)),
          sesArn(':identity/news@shop.example'),
        ],
      },
    ]);
    expect(ses(signups)).toEqual(ses(sender));
  });

  it('reads the keyring (signed opt-in links, keyed hashes) and reads and writes the main table', () => {
    const { stack, logicalId, statementsOf, signups } = synth();
    const statements = statementsOf(signups);
    const onKeyring = statements.filter((s) =>
      JSON.stringify(resourcesOf(s)).includes(`"${logicalId(stack.data.keyring)}"`),
    );
    expect(actionsOf(onKeyring)).toContain('secretsmanager:GetSecretValue');
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
    expect(
      actionsOf(statements).filter((a) => /^(sqs|scheduler|iam|sms-voice|mobiletargeting):/.test(a)),
    ).toEqual([]);
  });

  it('is told the sending identity, the footer and the configuration set; the base URL only with the context', () => {
    const { stack, logicalId, env } = synth({
      senderIdentity: 'shop.example',
      companyName: 'Chaussures Martin',
      companyAddress: '3 place du Marché, 35000 Rennes',
    });
    expect(env).toMatchObject({
      SENDER_IDENTITY: 'shop.example',
      COMPANY_NAME: 'Chaussures Martin',
      COMPANY_ADDRESS: '3 place du Marché, 35000 Rennes',
      SES_CONFIGURATION_SET: { Ref: logicalId(stack.sending.configurationSet) },
    });
    // Its links are built on the API's URL by default (never on the request's headers), or on the
    // public base URL; never on the SMS short links'.
    expect(env.PUBLIC_BASE_URL).toEqual(stack.resolve(stack.api.url));
    const { env: withUrl } = synth({
      publicBaseUrl: 'https://news.shop.example',
      shortLinkBaseUrl: 'https://rl.example',
    });
    expect(withUrl.PUBLIC_BASE_URL).toBe('https://news.shop.example');
    expect(withUrl.SHORT_LINK_BASE_URL).toBeUndefined();
  });
});
