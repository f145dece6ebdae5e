// urllib (the HTTP client under ali-oss) reports its own double callbacks with
// console.warn — "[urllib:warn] … callback twice!!!" plus a stack — whenever a request
// fails twice over (its body stream destroyed when a part is aborted, then the socket
// error that follows, as during an outage; node_modules/urllib/lib/urllib.js, done()).
// It has no option to turn that off, and the operator can do nothing with it: the
// request's own error already reached us and is reported in plain words. So it is
// dropped here, once for the process, and only messages that start with urllib's own
// tag; everything else reaches console.warn as before.

const TAG = '[urllib:warn]';
const MARK = Symbol.for('vodup.quietUrllib');

type Warn = (...args: unknown[]) => void;

let dropped = 0;

/** How many urllib warnings were dropped in this process (tests read it to show the filter ran). */
export function droppedUrllibWarnings(): number {
  return dropped;
}

/** `warn` without urllib's own warnings. */
export function withoutUrllibWarnings(warn: Warn): Warn {
  return (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith(TAG)) {
      dropped++;
      return;
    }
    warn(...args);
  };
}

function install(): void {
  const current = console.warn as Warn & { [MARK]?: true };
  if (current[MARK]) return;
  const filtered = withoutUrllibWarnings(current.bind(console)) as Warn & { [MARK]?: true };
  filtered[MARK] = true;
  console.warn = filtered;
}

install();
