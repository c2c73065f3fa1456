// Run after `npm install` changes package-lock.json:  node scripts/lockfile-platforms.mjs
//
// Why: this project's registry mirror serves only the platform packages of the machines it runs on, so npm
// cannot fetch (and silently leaves out of the lockfile) the optional per-platform binaries of other systems
// (@rollup/rollup-darwin-arm64, @msgpackr-extract/…-win32-x64, …). `npm ci` then refuses the lockfile as
// out of sync. This script records each missing optional package with the os/cpu/libc its name declares, so
// `npm ci` sees a complete lockfile and skips them on platforms they are not for, as it would normally.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
const OS = ['android', 'darwin', 'freebsd', 'openbsd', 'netbsd', 'openharmony', 'sunos', 'aix', 'win32', 'linux'];
const CPU = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'arm'];

let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    if (pkgs[base] || pkgs[`node_modules/${name}`]) continue;
    const short = name.split('/').pop();
    const os = OS.find((o) => short.includes(o));
    const cpu = CPU.find((c) => new RegExp(`(^|-)${c}(-|$)`).test(short));
    if (!os || !cpu) continue; // not a platform binary: leave it to npm
    const entry = { version: String(range).replace(/^[\^~=]/, ''), optional: true, os: [os], cpu: [cpu] };
    if (/musl/.test(short)) entry.libc = ['musl'];
    else if (/gnu/.test(short)) entry.libc = ['glibc'];
    pkgs[`node_modules/${name}`] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: recorded ${added} optional platform package(s)`);
