import type { TestProject } from 'vitest/node';
import { startDynalite, startSes } from '../../infra/local/emulators';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

/** Starts the real emulators once, on free ports, for every integration test file. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynalite({ port: 0 });
  const ses = await startSes({ port: 0 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await ses.close();
    await dynamo.close();
  };
}
