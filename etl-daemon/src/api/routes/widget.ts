import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

const PUBLIC = path.resolve(__dirname, '../../../public');

/** Files of the page, read once; uPlot comes from its npm package, so nothing is fetched from a CDN. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'widget.js': { file: path.join(PUBLIC, 'widget.js'), type: 'text/javascript; charset=utf-8' },
  'widget.css': { file: path.join(PUBLIC, 'widget.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': {
    file: require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** GET /: the original's chart widget, self-contained and fed by /api/v1/logins. */
export const widgetRoutes: FastifyPluginAsync = async (app) => {
  const page = readFileSync(path.join(PUBLIC, 'index.html'));
  const assets = new Map(
    Object.entries(ASSETS).map(([name, a]) => [name, { body: readFileSync(a.file), type: a.type }])
  );
  app.get('/', { schema: { hide: true }, config: { access: 'open' } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page)
  );
  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    { schema: { hide: true }, config: { access: 'open' } },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such asset' });
      return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
    }
  );
};
