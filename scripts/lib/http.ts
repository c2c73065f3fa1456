/** Polls `url` until it answers 2xx (a server starting up); throws after `timeoutMs`. */
export async function waitForOk(url: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not answer OK within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
