import type { UsageCollections } from '../../db/collections';
import { NameDictionary, loadNames } from '../../db/user-names';

/** The job's user dictionary (home.login.names) and, per dictionary id, the index's id of the same name. */
export class DictionaryMap {
  private readonly names = new NameDictionary();
  /** Index id of each dictionary id. */
  toIndex = new Uint32Array(0);

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
    for (let id = known; id < this.names.names.length; id += 1)
      grown[id] = this.userId(this.names.names[id] ?? '');
    this.toIndex = grown;
  }
}
