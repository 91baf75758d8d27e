import { loadConfig } from '../config/config';
import { ConfigError } from '../errors';
import { RangeArgumentError } from '../job/resolve-range';
import { parseCommand } from './arguments';
import { CliError, EXIT } from './cli-error';
import { demoDataCommand } from './demo-data-command';
import { runCommand } from './run-command';
import { summarizeCommand } from './summarize-command';
import { serveCommand } from './serve-command';
import { helpText } from './usage';

async function main(argv: readonly string[]): Promise<void> {
  const command = parseCommand(argv, new Date());
  if (command.name === 'help') {
    process.stdout.write(helpText());
    return;
  }
  const config = loadConfig();
  if (command.name === 'run') return runCommand(config, command.args);
  if (command.name === 'summarize') return summarizeCommand(config);
  if (command.name === 'demo-data') return demoDataCommand(config, command.options, command.ifEmpty);
  return serveCommand(config);
}

/** Every failure ends as one line on stderr and a non-zero exit; stack traces only with LOG_LEVEL=debug. */
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    const code =
      err instanceof CliError
        ? err.exitCode
        : err instanceof ConfigError || err instanceof RangeArgumentError
          ? EXIT.usage
          : EXIT.failure;
    process.stderr.write(`core4-usage: ${err.message.split('\n')[0]}\n`);
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${err.stack ?? ''}\n`);
    process.exit(code);
  }
);
