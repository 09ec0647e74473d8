/**
 * Runs `load` once and shares its result with every caller; after a failure the next
 * call tries again, so one dependency blip does not poison a warm Lambda instance.
 */
export function cachedUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
