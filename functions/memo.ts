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
