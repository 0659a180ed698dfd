import type { AppDeps } from '../deps';
import { pick } from './pick';

// Keys and shops

export const keyDeps = (app: AppDeps) => pick(app, 'apiKeys', 'stores', 'clock', 'ids');
