export default async function globalTeardown(): Promise<void> {
  await globalThis.embeddedMongo?.stop();
  process.stdout.write(`\nMongoDB server used by this test run: ${process.env.TEST_MONGODB_SERVER ?? '?'}\n`);
}
