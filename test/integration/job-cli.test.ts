import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';

/** `npm run job` (scripts/job.ts) as a real process against an in-process worker. */
let h: TestHarness;
let workers: WorkerHandle;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn('node_modules/.bin/tsx', ['scripts/job.ts', ...args], {
      env: { ...process.env, DATABASE_URL: h.config.DATABASE_URL, REDIS_URL: h.config.REDIS_URL, QUEUE_PREFIX: h.config.QUEUE_PREFIX },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    proc.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  h = await createHarness();
  workers = await startWorkers(h.ctx, { queues: ['maintenance'], cron: false, relay: false });
});
afterAll(async () => {
  await workers?.close();
  await h?.close();
});

describe('npm run job', () => {
  it('enqueues by alias, follows the job to completion and prints its return value', async () => {
    const r = await runCli(['heartbeat', '--payload', '{"durationMs":400}', '--note', 'from-cli']);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const id = /enqueued maintenance\.heartbeat on queue maintenance as job (\S+)/.exec(r.stdout)?.[1];
    expect(id).toBeTruthy();
    const ret = JSON.parse(/completed: (.*)/.exec(r.stdout)![1]!);
    expect(ret).toMatchObject({ jobId: id, beats: 1 });
    const beat = (await h.ctx.db.prisma.systemEvent.findMany({ where: { eventName: 'heartbeat' } })).find((e) => (e.eventData as { jobId?: string }).jobId === id);
    expect(beat?.eventData).toMatchObject({ note: 'from-cli' });
  });

  it('exits 1 with the failure reason when the job fails', async () => {
    const r = await runCli(['maintenance.heartbeat', '--fail', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed after 1/1 attempt(s): heartbeat failed on purpose');
  });

  it('rejects unknown jobs and invalid payloads with exit 2; --no-wait only enqueues; --list prints the catalog', async () => {
    const [unknown, invalid, badJson, noWait, list] = await Promise.all([
      runCli(['no-such-job']),
      runCli(['heartbeat', '--payload', '{"fail":"sometimes"}']),
      runCli(['heartbeat', '--payload', '{nope']),
      runCli(['heartbeat', '--no-wait', '--durationMs', '10']),
      runCli(['--list']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown job "no-such-job"');
    expect(unknown.stderr).toContain('maintenance.heartbeat');
    expect(unknown.stderr).toContain('leads.notify-contractors');

    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('payload.fail');

    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--payload is not valid JSON');

    expect(noWait.code).toBe(0);
    const id = /as job (\S+)/.exec(noWait.stdout)?.[1];
    expect(noWait.stdout).not.toContain('completed');
    const job = await h.ctx.queues.get('maintenance').getJob(id!);
    expect(job?.data).toEqual({ durationMs: 10 });

    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/maintenance\.heartbeat\s+\[maintenance\]\s+Writes a heartbeat.*\(alias: heartbeat\)/);
    expect(list.stdout).toContain('maintenance.expire-reservations');
  });
});
