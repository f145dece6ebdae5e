// One library video's details drawer: status, duration, size, the source file, its
// transcoded streams by definition and format, cover and snapshots (as links: the
// page's CSP loads images from the app only, and these URLs are the service's, signed
// and expiring), and the queue job that uploaded it when this app did.

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, formatDuration } from '../../../shared/format';
import type { LibraryVideoDetails } from '../../../shared/library';
import { getBridge } from '../bridge';
import { openVideoDetails } from '../store/library';
import { openDetails } from '../store/queue';
import { errorText, showView } from '../store/ui';
import { CopyButton } from './CopyButton';
import { useProviderTerms } from '../store/profiles';

export function VideoDetails({ videoId }: { videoId: string }) {
  const { t } = useTranslation();
  const [video, setVideo] = useState<LibraryVideoDetails | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setVideo(undefined);
    setError(null);
    getBridge().getVideoDetails([videoId]).then(
      (list) => current && setVideo(list.find((v) => v.videoId === videoId) ?? null),
      (err: unknown) => current && setError(errorText(err)),
    );
    return () => {
      current = false;
    };
  }, [videoId]);

  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && openVideoDetails(null);
    document.addEventListener('keydown', esc);
    return () => document.removeEventListener('keydown', esc);
  }, []);

  const close = () => openVideoDetails(null);
  return (
    <div className="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && close()}>
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="video-details-title" data-testid="video-details" data-video-id={videoId}>
        <header className="drawer-head">
          <h2 id="video-details-title" className="ellipsis">{video ? video.title : t('library.details.heading')}</h2>
          <button type="button" className="icon-button" data-testid="video-details-close" aria-label={t('details.close')} title={t('details.close')} onClick={close}>×</button>
        </header>
        <div className="drawer-body">
          {error && <p className="error-text" data-testid="video-details-error">{error}</p>}
          {video === undefined && !error && <p className="muted">{t('common.loading')}</p>}
          {video === null && <p className="muted" data-testid="video-details-gone">{t('library.details.gone')}</p>}
          {video && <VideoFacts video={video} />}
        </div>
      </aside>
    </div>
  );
}

function VideoFacts({ video }: { video: LibraryVideoDetails }) {
  const { t, i18n } = useTranslation();
  const terms = useProviderTerms();
  return (
    <>
      <dl className="facts">
        <dt>VideoId</dt>
        <dd><span className="mono break">{video.videoId}</span><CopyButton text={video.videoId} /></dd>
        <dt>{t('library.col.status')}</dt>
        <dd className={`vod vod-${video.status}`} data-testid="video-details-status">{t(`vod.${video.status}`, { defaultValue: video.status })}</dd>
        <dt>{t('library.col.duration')}</dt>
        <dd>{video.duration !== undefined ? formatDuration(video.duration) : '—'}</dd>
        <dt>{t('library.col.size')}</dt>
        <dd>{video.size !== undefined ? formatBytes(video.size) : '—'}</dd>
        <dt>{t('library.col.created')}</dt>
        <dd>{new Date(video.createdAt).toLocaleString(i18n.language)}</dd>
        {video.description && (<><dt>{t('edit.description')}</dt><dd className="wrap">{video.description}</dd></>)}
        {video.tags.length > 0 && (<><dt>{t('edit.tags')}</dt><dd>{video.tags.map((tag) => <span key={tag} className="chip">{tag}</span>)}</dd></>)}
        {video.source && (
          <>
            <dt>{t('library.details.source')}</dt>
            <dd data-testid="video-details-source">
              {video.source.fileName ?? '—'}{video.source.size !== undefined ? ` · ${formatBytes(video.source.size)}` : ''}
              {video.source.md5 && <span className="mono muted small">MD5 {video.source.md5}</span>}
            </dd>
          </>
        )}
        {video.jobId !== undefined && (
          <>
            <dt>{t('library.details.job')}</dt>
            <dd>
              <button
                type="button"
                className="link"
                data-testid="video-details-job"
                onClick={() => {
                  openVideoDetails(null);
                  showView('queue');
                  openDetails(video.jobId!);
                }}
              >
                {t('library.details.jobLink', { id: video.jobId })}
              </button>
            </dd>
          </>
        )}
      </dl>
      <section>
        <h3>{t('library.details.streams', { count: video.streams.length })}</h3>
        {video.streams.length === 0 ? (
          <p className="muted">{t('library.details.noStreams')}</p>
        ) : (
          <table className="mini-table" data-testid="video-details-streams">
            <thead>
              <tr><th>{t('library.details.definition', terms)}</th><th>{t('library.details.format')}</th><th>{t('library.details.resolution')}</th><th>{t('library.col.size')}</th><th /></tr>
            </thead>
            <tbody>
              {video.streams.map((s) => (
                <tr key={`${s.definition}-${s.format}`} data-testid="video-details-stream" data-definition={s.definition}>
                  <td>{s.definition}</td>
                  <td>{s.format}</td>
                  <td className="num">{s.width && s.height ? `${s.width}×${s.height}` : '—'}</td>
                  <td className="num">{s.size !== undefined ? formatBytes(s.size) : '—'}</td>
                  <td>{s.encrypted ? <span className="pill" title={t('library.details.encryptedHint')}>{t('library.details.encrypted')}</span> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section>
        <h3>{t('library.details.images')}</h3>
        {!video.coverUrl && video.snapshots.length === 0 && <p className="muted">{t('library.details.noImages')}</p>}
        <ul className="url-list" data-testid="video-details-images">
          {video.coverUrl && (
            <li><span>{t('library.details.cover')}</span><a href={video.coverUrl} target="_blank" rel="noreferrer" className="ellipsis mono small">{video.coverUrl}</a></li>
          )}
          {video.snapshots.map((url, i) => (
            <li key={url}><span>{t('library.details.snapshot', { n: i + 1 })}</span><a href={url} target="_blank" rel="noreferrer" className="ellipsis mono small">{url}</a></li>
          ))}
        </ul>
      </section>
    </>
  );
}
