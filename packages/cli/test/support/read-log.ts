import { Storage, Storages, type ByteStream, type Driver, type DriverReadHints, type ListEntry, type StatResult } from '@ckpt/storage';

/** One ranged read a driver was asked for: the file (driver key) and its byte range. */
export interface ReadRecord {
  key: string;
  offset: number;
  /** Bytes asked for; undefined: to the end of the file. */
  length: number | undefined;
}

/** A real driver (fs, memory, …) that records every read it serves before serving it. */
class RecordingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly reads: ReadRecord[],
  ) {}

  get name(): string {
    return this.inner.name;
  }

  stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined> {
    return this.inner.stat(key, signal);
  }

  list(prefix: string, recursive: boolean, signal?: AbortSignal): AsyncIterable<ListEntry> {
    return this.inner.list(prefix, recursive, signal);
  }

  read(key: string, offset: number, length: number | undefined, signal?: AbortSignal, hints?: DriverReadHints): Promise<ByteStream> {
    this.reads.push({ key, offset, length });
    return this.inner.read(key, offset, length, signal, hints);
  }

  write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    return this.inner.write(key, body, signal);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  copy(from: string, to: string): Promise<void> {
    return this.inner.copy(from, to);
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

/**
 * The storage cache of `@ckpt/storage` with every storage's driver wrapped in a recording one:
 * pass it as `storages` to a library call and read `reads` afterwards. Keys are driver keys
 * (for local files the absolute path without its leading `/`).
 */
export class RecordingStorages extends Storages {
  readonly reads: ReadRecord[] = [];
  private readonly wrapped = new Map<Storage, Storage>();

  override async locate(uri: string): Promise<{ storage: Storage; path: string }> {
    const { storage, path } = await super.locate(uri);
    let w = this.wrapped.get(storage);
    if (w === undefined) {
      w = new Storage(new RecordingDriver(storage.driver, this.reads), storage.base, storage.options);
      this.wrapped.set(storage, w);
    }
    return { storage: w, path };
  }
}
