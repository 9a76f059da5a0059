const done = (): IteratorReturnResult<void> => ({ value: undefined, done: true });

/**
 * The elements of an async sequence of arrays, one by one. Unlike `yield*` in an async generator
 * (several promise turns per element), an element already decoded costs one resolved promise:
 * for a key group of thousands of small entries the iteration would otherwise cost more than the
 * decoding. `return` / `throw` are passed to the batches, so `break` in a `for await` closes them.
 */
export function flattenBatches<T>(batches: AsyncGenerator<readonly T[], void, undefined>): AsyncGenerator<T, void, undefined> {
  let batch: readonly T[] = [];
  let i = 0;
  const it: AsyncGenerator<T, void, undefined> = {
    next(): Promise<IteratorResult<T, void>> {
      if (i < batch.length) return Promise.resolve({ value: batch[i++]!, done: false });
      return batches.next().then((r) => {
        if (r.done) return done();
        batch = r.value;
        i = 0;
        return it.next();
      });
    },
    return(value: void | PromiseLike<void>): Promise<IteratorResult<T, void>> {
      batch = [];
      return batches.return(value).then(done);
    },
    throw(e: unknown): Promise<IteratorResult<T, void>> {
      batch = [];
      return batches.throw(e).then(done);
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
