// Which compiled better-sqlite3 this process loads. Node (the CLI, web mode, tests) uses
// the package's own build in node_modules; the Electron shell, started from a checkout,
// names its Electron-ABI build before anything opens the queue (see
// main/electron/native-modules.ts). better-sqlite3's `nativeBinding` option is made for
// this; the choice is per process, like the runtime it follows.

let nativeBinding: string | undefined;

/** A compiled better_sqlite3.node to load instead of the package's own; undefined = the package's. */
export function useSqliteNativeBinding(file: string | undefined): void {
  nativeBinding = file;
}

/** Options every connection to the queue database opens with. */
export function sqliteOpenOptions(): { nativeBinding?: string } {
  return nativeBinding ? { nativeBinding } : {};
}
