// `ELECTRON_RENDERER_URL` points a development run at the Vite dev server instead of
// the built renderer. A packaged app never honours it: anyone able to set an
// environment variable for the user could otherwise load their own page with the
// preload's access to the uploader (profiles, files, the queue).

/** The development renderer URL to load, or undefined to load the built renderer. */
export function developmentRendererUrl(value: string | undefined, isPackaged: boolean): string | undefined {
  if (isPackaged || !value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`ELECTRON_RENDERER_URL is not a URL: "${value}". Unset it to load the built renderer, or give the dev server's address (e.g. http://localhost:5173).`);
  }
  // A dev server runs on this machine; anything else is not a development setup.
  if (!['http:', 'https:'].includes(url.protocol) || !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be the local dev server (http://localhost:PORT), not "${value}".`);
  }
  return url.toString();
}
