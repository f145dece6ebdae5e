// urllib (the HTTP client under ali-oss) reports its own double callbacks with
// console.warn — "[urllib:warn] … callback twice!!!" plus a stack — whenever a request
// fails twice over (a timeout and then the socket error it causes, as during an outage;
// node_modules/urllib/lib/urllib.js, done()). It has no option to turn that off, and
// the operator can do nothing with it: the request's own error already reached us and
// is reported in plain words. So it is dropped here, once for the process, and only
// messages that start with urllib's own tag; everything else reaches console.warn.

const TAG = '[urllib:warn]';
const MARK = Symbol.for('vodup.quietUrllib');

type Warn = typeof console.warn & { [MARK]?: true };

let dropped = 0;

/** How many urllib warnings were dropped in this process (tests read it to show the filter ran). */
export function droppedUrllibWarnings(): number {
  return dropped;
}

function install(): void {
  const current = console.warn as Warn;
  if (current[MARK]) return;
  const original = current.bind(console);
  const filtered: Warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith(TAG)) {
      dropped++;
      return;
    }
    original(...args);
  };
  filtered[MARK] = true;
  console.warn = filtered;
}

install();
