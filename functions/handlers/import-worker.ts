import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { fileUploaded, runImportChunk } from '../domain/imports/runner';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';
import { importJobDeps } from '../wiring/imports';

/**
 * One queue feeds the import worker: the bucket's object-created events (an upload: its job is
 * queued) and `{ importId }` messages (a job's next chunk). A chunk that throws comes back after
 * the visibility timeout and resumes from the job's checkpoint.
 */
const message = z.union([
  z.strictObject({ importId: z.string().min(1).max(100) }),
  z.object({
    Records: z.array(
      z.object({
        eventName: z.string(),
        s3: z.object({ object: z.object({ key: z.string() }) }),
      }),
    ),
  }),
  // S3 checks a new notification with a test event: nothing to do.
  z.object({ Event: z.literal('s3:TestEvent') }),
]);

export function makeHandler(deps: AppDeps) {
  const jobs = importJobDeps(deps);
  return sqsJobHandler('import', message, deps.logger, async (m, remainingMs) => {
    if ('importId' in m) return runImportChunk(jobs, m.importId, remainingMs);
    if ('Records' in m) {
      for (const r of m.Records) {
        if (!r.eventName.startsWith('ObjectCreated')) continue;
        await fileUploaded(jobs, decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
      }
    }
    return undefined;
  });
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
