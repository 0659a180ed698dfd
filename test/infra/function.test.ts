import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { RelanceFunction } from '../../infra/function';
import { NO_BUNDLING } from './helpers';

/** A bare stack that never bundles: these tests stop at the constructor's checks. */
const bareStack = () => new Stack(new App({ context: NO_BUNDLING }), 'Bare');

describe('RelanceFunction assets', () => {
  it('accepts a directory of the repository', () => {
    expect(
      () =>
        new RelanceFunction(bareStack(), 'Templates', { handler: 'templates', assets: ['templates/email/'] }),
    ).not.toThrow();
  });

  it.each(['/etc', '../outside', '.', 'templates/../..'])(
    'refuses %s: not a directory of the repository',
    (dir) => {
      expect(() => new RelanceFunction(bareStack(), 'F', { handler: 'templates', assets: [dir] })).toThrow(
        /relative to its root/,
      );
    },
  );

  it('refuses a directory that does not exist, at synthesis rather than at cold start', () => {
    expect(
      () => new RelanceFunction(bareStack(), 'F', { handler: 'templates', assets: ['templates/nope'] }),
    ).toThrow(/does not exist/);
  });

  it('refuses assets together with command hooks of its own', () => {
    const hooks = { beforeBundling: () => [], beforeInstall: () => [], afterBundling: () => [] };
    expect(
      () =>
        new RelanceFunction(bareStack(), 'F', {
          handler: 'templates',
          assets: ['templates/email'],
          bundling: { commandHooks: hooks },
        }),
    ).toThrow(/not both/);
  });

  it('refuses browserAssets together with command hooks of its own', () => {
    const hooks = { beforeBundling: () => [], beforeInstall: () => [], afterBundling: () => [] };
    expect(
      () =>
        new RelanceFunction(bareStack(), 'F', {
          handler: 'pages',
          browserAssets: true,
          bundling: { commandHooks: hooks },
        }),
    ).toThrow(/not both/);
  });
});
