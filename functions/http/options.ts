import type { AppDeps } from '../deps';
import type { HttpOptions } from './api';

export const httpOptions = (deps: Pick<AppDeps, 'logger' | 'config'>): HttpOptions => ({
  logger: deps.logger,
  maxJsonBytes: deps.config.MAX_JSON_BYTES,
  maxCsvBytes: deps.config.MAX_CSV_BYTES,
});
