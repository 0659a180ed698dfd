/**
 * `npm run keys -- <create|list|revoke> …`: manage API keys from a terminal.
 *
 * Through the HTTP API (local stack by default, or a deployed one with --url),
 * authenticated with a marketer key; or, for a first deployment when no key
 * exists yet, straight into the DynamoDB table with --table (AWS credentials
 * from the environment, as for the AWS CLI).
 */
import { parseArgs } from 'node:util';
import { randomIds, systemClock } from '../../functions/adapters/clock';
import { DynamoApiKeyRepository } from '../../functions/adapters/dynamo/api-keys';
import { DynamoStoreRepository } from '../../functions/adapters/dynamo/stores';
import { documentClient } from '../../functions/deps';
import { createKeySchema } from '../../functions/domain/keys/api-keys';
import { createApiKey, publicKey } from '../../functions/domain/keys/create';
import { parseInput } from '../../functions/domain/shared/validation';
import { apiBase, apiClient, type Io, NO_KEY, printError } from './api';

export type { Io } from './api';

const USAGE = `Usage:
  npm run keys -- create --role marketer|store [--store <storeId>] [--label <text>]
  npm run keys -- list
  npm run keys -- revoke <keyId>

Where:
  (default)             the local stack at http://127.0.0.1:$RELANCE_PORT (3000)
  --url <apiUrl>        a deployed stack's API (the ApiUrl output)
  --key <key>           a marketer key for --url (or RELANCE_API_KEY)
  --table <name>        write straight into a deployed stack's table (the TableName
                        output), with AWS credentials: for the very first key
  --region <region>     with --table (default: AWS_REGION)
  --endpoint <url>      with --table: a DynamoDB endpoint (e.g. a local dynalite)`;

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  try {
    if (values.table) return await direct(command, rest, values, io);
    return await viaApi(command, rest, values, io);
  } catch (err) {
    return printError(err, io);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      store: { type: 'string' },
      label: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

function createInput(values: Values) {
  return parseInput(createKeySchema, {
    role: values.role,
    ...(values.store ? { storeId: values.store } : {}),
    ...(values.label ? { label: values.label } : {}),
  });
}

async function direct(command: string | undefined, rest: string[], values: Values, io: Io): Promise<number> {
  const doc = documentClient({
    AWS_REGION: values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'eu-west-3',
    ...(values.endpoint ? { DYNAMODB_ENDPOINT: values.endpoint } : {}),
  });
  const table = values.table as string;
  const deps = {
    apiKeys: new DynamoApiKeyRepository(doc, table),
    stores: new DynamoStoreRepository(doc, table),
    clock: systemClock,
    ids: randomIds,
  };
  switch (command) {
    case 'create': {
      const created = await createApiKey(deps, createInput(values));
      printCreated(created, io);
      return 0;
    }
    case 'list':
      for (const k of await deps.apiKeys.list()) printKey(publicKey(k), io);
      return 0;
    case 'revoke': {
      const id = rest[0];
      if (!id) return usage(io, 'revoke needs a key id');
      if (!(await deps.apiKeys.delete(id))) return fail(io, `No key ${id}`);
      io.out(`Revoked ${id}`);
      return 0;
    }
    default:
      return usage(io, command ? `Unknown command "${command}"` : 'Give a command');
  }
}

async function viaApi(command: string | undefined, rest: string[], values: Values, io: Io): Promise<number> {
  const key = values.key ?? io.env.RELANCE_API_KEY;
  if (!key) return usage(io, NO_KEY);
  const { call } = apiClient(apiBase(values.url, io.env), key);
  switch (command) {
    case 'create':
      printCreated(await call('POST', '/v1/keys', createInput(values)), io);
      return 0;
    case 'list':
      for (const k of (await call('GET', '/v1/keys')).items) printKey(k, io);
      return 0;
    case 'revoke': {
      const id = rest[0];
      if (!id) return usage(io, 'revoke needs a key id');
      await call('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
      io.out(`Revoked ${id}`);
      return 0;
    }
    default:
      return usage(io, command ? `Unknown command "${command}"` : 'Give a command');
  }
}

function printCreated(k: { id: string; key: string; role: string; storeId?: string }, io: Io) {
  io.out(`Created ${k.role} key ${k.id}${k.storeId ? ` for store ${k.storeId}` : ''}`);
  io.out(`  ${k.key}`);
  io.out('This secret is shown once and stored only as a hash: keep it now.');
}

function printKey(
  k: { id: string; role: string; storeId?: string; label?: string; createdAt: string },
  io: Io,
) {
  io.out([k.id, k.role, k.storeId ?? '-', k.createdAt, k.label ?? ''].join('\t'));
}

function usage(io: Io, message: string): number {
  io.err(`${message}\n\n${USAGE}`);
  return 2;
}

function fail(io: Io, message: string): number {
  io.err(message);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await main(process.argv.slice(2), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    env: process.env,
  });
  process.exit(code);
}
