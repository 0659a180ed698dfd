import { S3Client } from '@aws-sdk/client-s3';
import { S3ImportFiles } from '../adapters/s3-files';
import type { AppDeps } from '../deps';
import type { ImportEngineDeps } from '../domain/imports/engine';
import type { ImportFiles } from '../domain/imports/ports';
import type { ImportJobDeps } from '../domain/imports/runner';
import { contactDeps, purchaseDeps } from './contacts';
import { pick } from './pick';

/** Reading and writing an import's rows: the customer file's and the receipts' use cases. */
export const importEngineDeps = (app: AppDeps): ImportEngineDeps => {
  const purchases = purchaseDeps(app);
  return {
    contacts: contactDeps(app),
    receipts: {
      receipts: purchases.receipts,
      purchases: purchases.purchases,
      contacts: purchases.contacts,
      currency: purchases.currency,
    },
    stores: app.stores,
    clock: app.clock,
    defaultCountry: app.config.DEFAULT_COUNTRY,
    timeZone: app.config.DEFAULT_TIME_ZONE,
    currency: app.config.COST_CURRENCY,
  };
};

/** One per instance: the worker's name on the leases it takes, and its files client. */
export const importJobDeps = (app: AppDeps, files: ImportFiles = importFiles(app)): ImportJobDeps => ({
  ...importEngineDeps(app),
  ...pick(app, 'imports', 'ids', 'logger', 'metrics'),
  files,
  queue: app.importQueue,
  workerId: app.ids.next('w'),
  leaseSeconds: 600,
});

/**
 * The bucket import files are uploaded to and read from (IMPORT_BUCKET), through the emulator's
 * endpoint locally. Built here rather than in AppDeps, so only the import functions carry the S3
 * client. A function given no bucket refuses every call, saying so.
 */
export function importFiles(app: AppDeps): ImportFiles {
  const { config } = app;
  if (!config.IMPORT_BUCKET) {
    const refuse = async (): Promise<never> => {
      throw new Error('IMPORT_BUCKET is not configured for this function');
    };
    return {
      uploadUrl: refuse,
      size: refuse,
      read: (() => refuse()) as unknown as ImportFiles['read'],
      write: refuse,
      remove: refuse,
    };
  }
  const s3 = new S3Client({
    region: config.AWS_REGION,
    ...(config.S3_ENDPOINT
      ? {
          endpoint: config.S3_ENDPOINT,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        }
      : {}),
  });
  return new S3ImportFiles(s3, config.IMPORT_BUCKET);
}
