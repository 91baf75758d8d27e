import type { Config } from '../config/config';
import { collectionAt } from '../db/collections';
import { formatNamespace } from '../db/namespace';
import { connectMongo } from '../db/connect';
import { hasDocuments } from '../db/sys-log';
import type { DemoOptions } from '../demo/generate-sys-log';
import { writeDemoData } from '../demo/write-demo-data';
import { CliError, EXIT } from './cli-error';

/** `core4-usage demo-data`: realistic sys.log documents for demos, tests and benchmarks. */
export async function demoDataCommand(config: Config, options: DemoOptions, ifEmpty: boolean): Promise<void> {
  if (!config.mongodbUri) {
    throw new CliError('MONGODB_URI is not set: `demo-data` needs a database to write to', EXIT.usage);
  }
  const client = await connectMongo(config.mongodbUri, config.mongo);
  try {
    const sysLog = collectionAt(client, config.sysLog);
    // --if-empty makes the demo stack's first start fill sys.log and every later start leave it alone.
    if (ifEmpty && (await hasDocuments(sysLog))) {
      process.stdout.write(
        `${formatNamespace(config.sysLog)} already holds documents; nothing written (--if-empty)\n`
      );
      return;
    }
    const sysRole = config.sysRole && collectionAt(client, config.sysRole);
    const sysHandler = config.sysHandler && collectionAt(client, config.sysHandler);
    const written = await writeDemoData(sysLog, options, undefined, { sysRole, sysHandler });
    process.stdout.write(
      `wrote ${written} sys.log documents (${options.days} days, ${options.users} users) to ${formatNamespace(config.sysLog)}` +
        `${config.sysRole ? ` and their roles to ${formatNamespace(config.sysRole)}` : ''}` +
        `${config.sysHandler ? `, the apps' registrations to ${formatNamespace(config.sysHandler)}` : ''}\n`
    );
  } finally {
    await client.close();
  }
}
