/** Polls `fn` until it returns something truthy (which it returns), or throws after `ms`. */
export async function waitFor<T>(fn: () => Promise<T>, ms = 60_000, everyMs = 50): Promise<Exclude<T, undefined | null | false>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as Exclude<T, undefined | null | false>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
