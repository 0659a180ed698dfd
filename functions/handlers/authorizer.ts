import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { type AppDeps, defaultDeps } from '../deps';
import { bearerSecret, hashKey } from '../domain/keys/api-keys';
import { lazyHandler } from '../http/api';

export type AuthorizerContext = { keyId: string; role: string; storeId: string };

/**
 * The API Gateway Lambda authorizer (simple responses, cached per Authorization
 * header). An unknown key throws "Unauthorized", which API Gateway answers 401;
 * a known key is allowed and its role travels to the handler, which answers 403
 * when the role may not call the route.
 */
export function makeHandler(deps: Pick<AppDeps, 'apiKeys' | 'logger'>) {
  return async (
    event: APIGatewayRequestAuthorizerEventV2,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
    const secret = bearerSecret(event.headers?.authorization ?? event.identitySource?.[0]);
    const key = secret ? await deps.apiKeys.findByHash(hashKey(secret)) : undefined;
    if (!key) {
      deps.logger.info('Rejected API key', { sourceIp: event.requestContext?.http?.sourceIp });
      throw new Error('Unauthorized');
    }
    return { isAuthorized: true, context: { keyId: key.keyId, role: key.role, storeId: key.storeId ?? '' } };
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
