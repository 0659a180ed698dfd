import type { Context } from 'aws-lambda';

/** Calls `load` once, on first use; a failure is not kept, so the next call tries again. */
export function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((err) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}

/**
 * Defers building a handler until its first invocation, so a module can be
 * imported (by the local stack, by tests) without the Lambda environment. A
 * failed build is not kept: the next invocation tries again.
 */
export function lazyHandler<E, R>(make: () => Promise<(e: E, c: Context) => Promise<R>>) {
  const built = memo(make);
  return async (event: E, context: Context): Promise<R> => (await built())(event, context);
}
