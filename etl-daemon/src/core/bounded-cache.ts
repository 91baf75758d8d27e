/**
 * A map bounded by the bytes of its values (as the caller weighs them), so that what clients ask for can
 * never grow the process without limit. Eviction is CLOCK (second chance): a hit only marks the entry, so
 * reading costs one Map lookup; when full, entries not used since the last sweep go first, oldest first.
 *
 * The clock's hand walks its own queue, not the Map's insertion order: a Map that has had many entries
 * deleted from its front makes every `for…of` start by skipping the deleted slots (until V8 rehashes it), so
 * a cache that evicts on every insert (a dashboard's moving range: each request a new key) paid a scan per
 * insert there (10 % of the daemon's time under that load, profiled).
 */
interface Entry<K, V> {
  key: K;
  value: V;
  bytes: number;
  used: boolean;
  /** False once deleted or evicted: its place in the queue is skipped. */
  live: boolean;
}

export class ByteBoundedCache<K, V> {
  private readonly entries = new Map<K, Entry<K, V>>();
  /** Entries in clock order from `head` on (dead ones are skipped and dropped as the hand passes). */
  private queue: Entry<K, V>[] = [];
  private head = 0;
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
    this.compact();
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
    const entry = { key, value, bytes, used: false, live: true };
    this.entries.set(key, entry);
    this.queue.push(entry);
    this.used += bytes;
    while (this.used > this.max) this.evictOne();
    this.compact();
  }

  private evictOne(): void {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as Entry<K, V>;
      this.head += 1;
      if (!entry.live) continue;
      if (entry.used) {
        // Second chance: to the back of the line, unmarked.
        entry.used = false;
        this.queue.push(entry);
        continue;
      }
      this.remove(entry);
      return;
    }
  }

  /**
   * Drops the places the hand has passed and those of deleted entries once they outnumber the live ones
   * (plus a margin): each place is dropped once, so this is amortised constant time. From the hand on, each
   * live entry has one place (a second chance moved it, leaving a passed one behind).
   */
  private compact(): void {
    if (this.queue.length > 2 * this.entries.size + 1024) {
      this.queue = this.queue.slice(this.head).filter((e) => e.live);
      this.head = 0;
    }
  }

  private remove(entry: Entry<K, V>): void {
    entry.live = false;
    this.entries.delete(entry.key);
    this.used -= entry.bytes;
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry) this.remove(entry);
    this.compact();
  }

  /** Drops every entry whose value `drop` selects. */
  deleteWhere(drop: (value: V) => boolean): void {
    for (const entry of this.entries.values()) if (drop(entry.value)) this.remove(entry);
    this.compact();
  }

  clear(): void {
    this.entries.clear();
    this.queue = [];
    this.head = 0;
    this.used = 0;
  }
}
