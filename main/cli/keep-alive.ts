// The engine's retry timers are unref'd (it must not keep an app alive by itself), so a
// command that only waits for it could see Node find nothing left to do and end with
// exit code 0 while a job still waits — it did, on a full disk under the queue, where the
// engine retries its write on such a timer. A command waits inside keepingAlive.

/** Holds the process open until `wait` settles. */
export async function keepingAlive<T>(wait: Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 60_000);
  try {
    return await wait;
  } finally {
    clearInterval(timer);
  }
}
