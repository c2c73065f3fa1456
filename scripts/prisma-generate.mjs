// Generates the Prisma client (src/generated/prisma) during `npm ci`.
// Why the env var: `prisma generate` resolves a schema-engine binary before it generates, and downloads one
// when none is configured. Offline machines cannot download it, and generate never executes it (only
// migrate does), so any existing file satisfies the check. A user who has the real binary keeps theirs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'package.json');
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const bin = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
const r = spawnSync(process.execPath, [bin, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
