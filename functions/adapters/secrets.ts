import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Keyring, keyringFromSecret } from '../domain/shared/hashing';

/** Loads the HMAC keyring: from the literal value when given (local), else from Secrets Manager. */
export async function loadKeyring(
  source: { literal?: string; secretArn?: string },
  client: () => SecretsManagerClient,
): Promise<Keyring> {
  if (source.literal) return keyringFromSecret(source.literal);
  if (!source.secretArn) throw new Error('No keyring configured');
  const res = await client().send(new GetSecretValueCommand({ SecretId: source.secretArn }));
  if (!res.SecretString) throw new Error('The keyring secret has no string value');
  return keyringFromSecret(res.SecretString);
}
