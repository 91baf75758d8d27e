/** An error the CLI reports as one line with its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number
  ) {
    super(message);
  }
}

export const EXIT = { failure: 1, usage: 2, skipped: 75 } as const;
