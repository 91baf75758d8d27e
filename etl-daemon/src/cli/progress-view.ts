import type { Progress } from '../job/progress';

const WIDTH = 30;

/** A redrawn bar on a terminal; plain lines (one per day) for logs and pipes. */
export function progressView(stream: NodeJS.WriteStream): { update(p: Progress): void; done(): void } {
  if (!stream.isTTY) {
    return {
      update: (p) => stream.write(`progress ${(p.fraction * 100).toFixed(1)}% ${p.message}\n`),
      done: () => undefined,
    };
  }
  let drawn = false;
  return {
    update(p) {
      const filled = Math.round(p.fraction * WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
      const line = `[${bar}] ${(p.fraction * 100).toFixed(0).padStart(3)}% ${p.message}`;
      stream.write(`\r${line.slice(0, (stream.columns || 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
