/**
 * A map bounded by the bytes of its values (as the caller weighs them), so that what clients ask for can
 * never grow the process without limit. Eviction is CLOCK (second chance): a hit only marks the entry, so
 * reading costs one Map lookup; when full, entries not used since the last sweep go first, oldest first.
 */
export class ByteBoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number; used: boolean }>();
  private used = 0;

  constructor(
    private max: number,
    private readonly weigh: (value: V, key: K) => number
  ) {}

  get maxBytes(): number {
    return this.max;
  }

  /** A new bound; entries over it are evicted at once. */
  resize(maxBytes: number): void {
    this.max = maxBytes;
    while (this.used > this.max) this.evictOne();
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.used = true;
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.weigh(value, key);
    if (bytes > this.max) return;
    this.entries.set(key, { value, bytes, used: false });
    this.used += bytes;
    while (this.used > this.max) this.evictOne();
  }

  private evictOne(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (entry.used) {
        // Second chance: to the back of the line, unmarked.
        entry.used = false;
        this.entries.set(key, entry);
        continue;
      }
      this.used -= entry.bytes;
      return;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}
