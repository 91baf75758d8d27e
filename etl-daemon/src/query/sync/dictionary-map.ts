import type { UsageCollections } from '../../db/collections';
import { NameDictionary, loadNames } from '../../db/user-names';

/** The job's user dictionary (home.login.names) and, per dictionary id, the index's id of the same name. */
export class DictionaryMap {
  private readonly names = new NameDictionary();
  /** Index id of each dictionary id. */
  toIndex = new Uint32Array(0);
  /**
   * Whether index ids ascend with dictionary ids, so that a summary keeps each slot's users in order when
   * mapped. They do unless a name got its index id first from a day read from its chunks (stored before
   * summaries) and reached the dictionary later (`summarize`).
   */
  ascending = true;

  constructor(
    private readonly cols: UsageCollections,
    private readonly userId: (name: string) => number
  ) {}

  /** Reads the batches appended since the last sync and maps their names. */
  async sync(): Promise<void> {
    const known = this.names.names.length;
    await loadNames(this.cols.names, this.names);
    if (this.names.names.length === known) return;
    const grown = new Uint32Array(this.names.names.length);
    grown.set(this.toIndex);
    for (let id = known; id < this.names.names.length; id += 1) {
      grown[id] = this.userId(this.names.names[id] ?? '');
      if (id > 0 && (grown[id] as number) <= (grown[id - 1] as number)) this.ascending = false;
    }
    this.toIndex = grown;
  }
}
