/** Names to dense ids 0, 1, 2, … in order of first sight, and back. */
export class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.names.length;
  }

  /** The id of a name, assigned on first sight. */
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** The id of a name already seen, else undefined. */
  lookup(name: string): number | undefined {
    return this.ids.get(name);
  }

  name(id: number): string | undefined {
    return this.names[id];
  }
}
