// Server-side file browser for shells without a native dialog (web mode): the files
// live on the machine running the engine, so the operator picks them from there.
// Five modes: 'add' (media files and folders, many at once), 'cover' (one image
// for the selected staged files), 'manifest' (one csv/json list to import),
// 'watch' (one folder for a watch folder, handed to `onFolder`) and 'download' (the
// folder downloads go to, handed to `onFolder` likewise).
//
// The whole-folder buttons act on the path in the box: a path typed without pressing
// Enter is opened first and is the folder taken (never the one still shown below it).
// Listings answer in any order: only the latest open is shown, and a path typed while
// one is loading stays in the box (the first listing once overwrote it, and a click
// then took the folder shown instead of the one typed).

import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DirectoryListing } from '../../../shared/ipc';
import { getBridge } from '../bridge';
import { formatBytes } from '../../../shared/format';
import type { FolderBrowserMode } from '../store/app';
import { addPaths, closeFolderBrowser, importManifest, setCover } from '../store/staging';
import { mediaKindOf } from '../../../shared/validation';
import { errorText } from '../store/ui';

let lastPath: string | undefined;

export function FolderBrowser({ mode, onFolder }: { mode: FolderBrowserMode; onFolder?: (path: string) => void }) {
  const cover = mode === 'cover';
  const manifest = mode === 'manifest';
  /** A folder is the choice (watch folder, download destination), handed to onFolder. */
  const watch = mode === 'watch' || mode === 'download';
  const download = mode === 'download';
  /** Cover and list modes choose exactly one file; watch mode chooses a folder. */
  const single = mode !== 'add';
  const { t } = useTranslation();
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [pathInput, setPathInput] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());

  /** Which open() is the latest: an older listing that answers late is dropped, never shown over a newer one. */
  const openSeq = useRef(0);
  /** The operator typed in the path box since the last open began: its answer must not overwrite the box. */
  const typedSinceOpen = useRef(false);

  /** Shows a folder; resolves with its listing, or null when it cannot be read (the error is shown) or a later open superseded it. */
  const open = useCallback(async (path?: string): Promise<DirectoryListing | null> => {
    const mine = ++openSeq.current;
    typedSinceOpen.current = false;
    setLoading(true);
    setError(null);
    try {
      const l = await getBridge().browseDirectory(path);
      if (mine !== openSeq.current) return null;
      setListing(l);
      if (!typedSinceOpen.current) setPathInput(l.path);
      setChosen(new Set());
      lastPath = l.path;
      return l;
    } catch (err) {
      if (mine === openSeq.current) setError(errorText(err));
      return null;
    } finally {
      if (mine === openSeq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    // The first folder, unless the operator already opened one (typed a path and pressed
    // Go before this effect ran): the later open would win and show the old folder.
    if (openSeq.current === 0) void open(lastPath);
  }, [open]);

  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && closeFolderBrowser();
    document.addEventListener('keydown', esc);
    return () => document.removeEventListener('keydown', esc);
  }, []);

  const add = (paths: string[]) => {
    closeFolderBrowser();
    void addPaths(paths);
  };

  const typed = pathInput.trim();
  /** The path typed in the box differs from the folder shown: the whole-folder button opens it first. */
  const typedElsewhere = listing !== null && typed !== '' && typed !== listing.path;

  /** The folder in the path box, opened first when it is not the one shown (typed without Enter). */
  const useWholeFolder = async (use: (path: string) => void) => {
    if (!listing) return;
    if (!typedElsewhere) {
      use(listing.path);
      return;
    }
    const l = await open(typed);
    if (l) use(l.path); // unreadable: the error shows, nothing is taken
  };

  const useWatchFolder = (path: string) => {
    closeFolderBrowser();
    onFolder?.(path);
  };

  const toggle = (path: string, on: boolean) => {
    // A cover or a list is one file: choosing another replaces the choice.
    const next = new Set(single ? [] : chosen);
    if (on) next.add(path);
    else next.delete(path);
    setChosen(next);
  };

  const useCover = () => {
    const [path] = chosen;
    closeFolderBrowser();
    if (path) setCover(path);
  };

  const useManifest = () => {
    const [path] = chosen;
    closeFolderBrowser();
    if (path) void importManifest(path);
  };

  /** In cover mode only images can be chosen, in list mode only csv/json (folders are for moving around). */
  const choosable = (e: DirectoryListing['entries'][number]) => {
    if (!single) return true;
    if (watch) return false;
    if (e.isDirectory) return false;
    return cover ? mediaKindOf(e.name) === 'image' : /\.(csv|json)$/i.test(e.name);
  };

  const entries = listing
    ? [...listing.entries].sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || a.name.localeCompare(b.name))
    : [];

  return (
    <div className="modal-backdrop">
      <div className="modal browser" role="dialog" aria-modal="true" aria-labelledby="browser-title" data-testid="folder-browser" data-mode={mode}>
        <header className="modal-head">
          <h2 id="browser-title">{t(cover ? 'browser.coverTitle' : manifest ? 'browser.manifestTitle' : download ? 'browser.downloadTitle' : watch ? 'browser.watchTitle' : 'browser.title')}</h2>
          <p className="muted small">{t(cover ? 'browser.coverExplain' : manifest ? 'browser.manifestExplain' : download ? 'browser.downloadExplain' : watch ? 'browser.watchExplain' : 'browser.explain')}</p>
        </header>
        <form
          className="browser-path"
          onSubmit={(e) => {
            e.preventDefault();
            void open(pathInput.trim() || undefined);
          }}
        >
          <button
            type="button"
            data-testid="browser-up"
            disabled={!listing?.parent || loading}
            onClick={() => listing?.parent && void open(listing.parent)}
            title={t('browser.up')}
          >
            ↑ {t('browser.up')}
          </button>
          <input
            data-testid="browser-path"
            aria-label={t('browser.path')}
            value={pathInput}
            onChange={(e) => {
              typedSinceOpen.current = true;
              setPathInput(e.target.value);
            }}
          />
          <button type="submit" data-testid="browser-go" disabled={loading}>{t('browser.go')}</button>
        </form>
        {error && <p className="error-text pad" data-testid="browser-error">{error}</p>}
        <div className="browser-list" data-testid="browser-list">
          {entries.length === 0 && !loading && !error && <p className="muted pad">{t('browser.empty')}</p>}
          {entries.map((e) => (
            <div key={e.path} className={`browser-entry${choosable(e) ? '' : ' unchoosable'}`} data-testid="browser-entry" data-name={e.name}>
              {!watch && <input
                type={single ? 'radio' : 'checkbox'}
                name={single ? `${mode}-choice` : undefined}
                aria-label={t('browser.select', { name: e.name })}
                checked={chosen.has(e.path)}
                disabled={!choosable(e)}
                onChange={(ev) => toggle(e.path, ev.target.checked)}
              />}
              {e.isDirectory ? (
                <button type="button" className="link" data-testid="browser-open" onClick={() => void open(e.path)}>
                  <span className="icon folder" aria-hidden />{e.name}
                </button>
              ) : (
                <span className="file-name"><span className="icon file" aria-hidden />{e.name}</span>
              )}
              <span className="muted small right">{e.isDirectory ? '' : formatBytes(e.size)}</span>
            </div>
          ))}
        </div>
        <footer className="modal-foot">
          <button type="button" data-testid="browser-cancel" onClick={closeFolderBrowser}>{t('common.cancel')}</button>
          <span className="spacer" />
          {cover ? (
            <button type="button" className="primary" data-testid="browser-use-cover" disabled={chosen.size === 0} onClick={useCover}>
              {t('browser.useCover')}
            </button>
          ) : manifest ? (
            <button type="button" className="primary" data-testid="browser-use-manifest" disabled={chosen.size === 0} onClick={useManifest}>
              {t('browser.useManifest')}
            </button>
          ) : watch ? (
            <button
              type="button"
              className="primary"
              data-testid="browser-watch-current"
              disabled={!listing || loading}
              title={typedElsewhere ? typed : listing?.path}
              onClick={() => void useWholeFolder(useWatchFolder)}
            >
              {t(download ? (typedElsewhere ? 'browser.downloadTyped' : 'browser.downloadFolder') : (typedElsewhere ? 'browser.watchTyped' : 'browser.watchFolder'))}
            </button>
          ) : (
            <>
              <button
                type="button"
                data-testid="browser-add-current"
                disabled={!listing || loading}
                title={typedElsewhere ? typed : listing?.path}
                onClick={() => void useWholeFolder((p) => add([p]))}
              >
                {t(typedElsewhere ? 'browser.addTyped' : 'browser.addFolder')}
              </button>
              <button
                type="button"
                className="primary"
                data-testid="browser-add-selected"
                disabled={chosen.size === 0}
                onClick={() => add([...chosen])}
              >
                {chosen.size > 0 ? t('browser.addSelected', { count: chosen.size }) : t('browser.addSelectedNone')}
              </button>
            </>
          )}
        </footer>
      </div>
    </div>
  );
}
