import closeWithGrace from 'close-with-grace';
import { getConfigOrExit } from './config.ts';
import { createContext } from './platform/bootstrap.ts';
import { buildApp } from './app.ts';

const config = getConfigOrExit();
const ctx = createContext(config, { role: 'api' });
const app = await buildApp(ctx);

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
  await ctx.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
