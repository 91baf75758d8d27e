/**
 * What a start-up holds, released last-in, first-out (as graphile-worker's releasers): the HTTP server
 * closes before the MongoDB client it reads through, the client before the embedded server it talks to.
 * A releaser that fails is reported and the others still run; releasing twice does nothing the second time.
 */
export class Releasers {
  private readonly held: { name: string; release: () => Promise<void> | void }[] = [];

  constructor(private readonly onError: (name: string, error: unknown) => void) {}

  add(name: string, release: () => Promise<void> | void): void {
    this.held.push({ name, release });
  }

  /** Names of what is held, in the order it was taken. */
  get names(): string[] {
    return this.held.map((h) => h.name);
  }

  async releaseAll(): Promise<void> {
    for (const { name, release } of this.held.splice(0).reverse()) {
      try {
        await release();
      } catch (error) {
        this.onError(name, error);
      }
    }
  }
}
