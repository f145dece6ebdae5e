// The job details drawer: everything the queue knows about one job (path, size,
// VideoId, state, live progress, VOD status, CRC-64, attempts, times, the metadata sent
// to VOD, the error in the operator's language with the service's words behind
// "details") with Pause/Resume/Retry/Cancel, and its recent event log in plain words.
// Re-read whenever the engine reports a change to this job (store/queue.ts bumps
// detailsVersion).

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProviderTerms } from '../store/profiles';
import type { JobEvent } from '../../../shared/ipc';
import type { JobError, JobView } from '../../../shared/types';
import { formatBytes, formatDuration, formatSpeed } from '../../../shared/format';
import { getBridge } from '../bridge';
import { useApp } from '../store/app';
import { useJobProgress } from '../store/progress';
import { closeDetails, runCommand, type QueueCommand } from '../store/queue';
import { errorText } from '../store/ui';
import { categoryPath } from './CategoryPicker';
import { CopyButton } from './CopyButton';
import { useJobErrorText } from './problems';

/** Events shown: the latest ones are what an operator asks about. */
const EVENT_LIMIT = 100;

export function JobDetails({ id }: { id: number }) {
  const { t } = useTranslation();
  const version = useApp((s) => s.detailsVersion);
  const [job, setJob] = useState<JobView | null | undefined>(undefined);
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const bridge = getBridge();
    Promise.all([bridge.getJob(id), bridge.getJobEvents(id, EVENT_LIMIT)]).then(
      ([j, e]) => {
        if (!current) return;
        setJob(j);
        setEvents(e);
        setError(null);
      },
      (err: unknown) => current && setError(errorText(err)),
    );
    return () => {
      current = false;
    };
  }, [id, version]);

  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && closeDetails();
    document.addEventListener('keydown', esc);
    return () => document.removeEventListener('keydown', esc);
  }, []);

  return (
    <div className="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && closeDetails()}>
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="details-title" data-testid="job-details" data-job-id={id}>
        <header className="drawer-head">
          <h2 id="details-title" className="ellipsis">{job ? job.meta.title : t('details.heading')}</h2>
          <button type="button" className="icon-button" data-testid="details-close" aria-label={t('details.close')} title={t('details.close')} onClick={closeDetails}>×</button>
        </header>
        <div className="drawer-body">
          {error && <p className="error-text" data-testid="details-error">{error}</p>}
          {job === undefined && !error && <p className="muted">{t('common.loading')}</p>}
          {job === null && <p className="muted" data-testid="details-gone">{t('details.gone')}</p>}
          {job && <JobFacts job={job} />}
          {job && (
            <section className="details-events">
              <h3>{t('details.events', { count: events.length })}</h3>
              {events.length === 0 ? (
                <p className="muted">{t('details.noEvents')}</p>
              ) : (
                <ol data-testid="details-events">
                  {[...events].reverse().map((e, i) => <EventRow key={`${e.at}-${i}`} event={e} />)}
                </ol>
              )}
            </section>
          )}
        </div>
      </aside>
    </div>
  );
}

function useTime(): (ms: number | undefined) => string {
  const language = useApp((s) => s.language);
  return (ms) => (ms === undefined ? '—' : new Date(ms).toLocaleString(language));
}

function JobFacts({ job }: { job: JobView }) {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const time = useTime();
  const e = job.error;
  return (
    <>
      <dl className="facts" data-testid="details-facts">
        <dt>{t('details.path')}</dt>
        <dd className="mono break" data-testid="details-path">{job.path}</dd>
        {job.download && (
          <>
            <dt>{t('download.direction.download')}</dt>
            <dd data-testid="details-download-item"><span className="direction download">↓</span><span className="mono">{job.download.itemKey}</span></dd>
          </>
        )}
        <dt>{t('details.size')}</dt>
        <dd>{formatBytes(job.size)} <span className="muted small">({job.size.toLocaleString()} B)</span></dd>
        <dt>{t('queue.col.videoId', terms)}</dt>
        <dd className="videoid">
          {job.videoId ? (
            <>
              <span className="mono" data-testid="details-videoid">{job.videoId}</span>
              <CopyButton text={job.videoId} />
            </>
          ) : <span className="muted">—</span>}
        </dd>
        <dt>{t('queue.col.state')}</dt>
        <dd><span className={`state state-${job.state}`} data-testid="details-state">{t(`state.${job.state}`)}</span></dd>
        <dt>{t('drawer.progress')}</dt>
        <dd><LiveProgress job={job} /></dd>
        <dt>{t('queue.col.vodStatus')}</dt>
        <dd data-testid="details-vodstatus">{job.vodStatus ? t(`vod.${job.vodStatus}`, { defaultValue: job.vodStatus }) : <span className="muted">—</span>}</dd>
        <dt>CRC-64</dt>
        <dd className="mono" data-testid="details-crc64">{job.crc64 ?? <span className="muted">—</span>}</dd>
        {/* The engine resets attempts whenever bytes move, so a plain "Attempts 0" on an
            uploaded job misleads: shown only while there are retries, under a name that says so. */}
        {job.attempts > 0 && (
          <>
            <dt>{t('details.attempts')}</dt>
            <dd data-testid="details-attempts">{job.attempts}</dd>
          </>
        )}
        <dt>{t('details.created')}</dt>
        <dd>{time(job.createdAt)}</dd>
        <dt>{t('details.started')}</dt>
        <dd>{time(job.startedAt)}</dd>
        <dt>{t('details.finished')}</dt>
        <dd>{time(job.finishedAt)}</dd>
        {job.meta.coverPath && (
          <>
            <dt>{t('edit.cover')}</dt>
            <dd className="mono break" data-testid="details-cover">{job.meta.coverPath}</dd>
          </>
        )}
      </dl>
      {e && <JobErrorView error={e} />}
      <JobActions job={job} />
      {/* A download sent nothing to VOD: its metadata is the video's, in the Library. */}
      {job.kind !== 'download' && <SentMeta job={job} />}
    </>
  );
}

/** States whose bytes are moving, or about to. */
const MOVING = new Set<JobView['state']>(['creating', 'uploading', 'completing', 'downloading', 'verifying', 'waiting']);

/** Bytes and percent, live while the job moves (the engine's progress batches, ≤ 4/s). */
function LiveProgress({ job }: { job: JobView }) {
  const { t } = useTranslation();
  const live = useJobProgress(job.id);
  const moving = MOVING.has(job.state) && live !== undefined;
  const finished = job.state === 'ready' || job.state === 'review' || job.state === 'uploaded' || job.state === 'downloaded';
  const done = finished ? job.size : moving ? live.bytesDone : job.bytesDone;
  const pct = job.size > 0 ? Math.min(100, (done / job.size) * 100) : finished ? 100 : 0;
  return (
    <span className="details-progress" data-testid="details-progress" data-percent={Math.floor(pct)}>
      <span className="bar"><span className="fill" style={{ width: `${pct}%` }} /></span>
      <span className="small num">
        {pct.toFixed(pct >= 99.95 || pct === 0 ? 0 : 1)}% · {formatBytes(done)} / {formatBytes(job.size)}
        {moving && live.speed > 0 && <> · {t('drawer.speed', { speed: formatSpeed(live.speed).replace(/\/s$/, '') })}</>}
        {moving && live.etaSeconds !== undefined && <> · {t('drawer.eta', { eta: formatDuration(live.etaSeconds) })}</>}
      </span>
    </span>
  );
}

/** The same commands as the row's buttons, for this one job. */
function JobActions({ job }: { job: JobView }) {
  const { t } = useTranslation();
  const s = job.state;
  const run = (c: QueueCommand) => void runCommand(c, [job.id]);
  const buttons: { command: QueueCommand; label: string; show: boolean }[] = [
    { command: 'pause', label: t('queue.action.pause'), show: s === 'queued' || MOVING.has(s) },
    { command: 'resume', label: t('queue.action.resume'), show: s === 'paused' },
    { command: 'retry', label: t('queue.action.retry'), show: s === 'failed' || s === 'canceled' },
    { command: 'restart', label: t('queue.action.restart'), show: s === 'failed' && job.error?.code === 'FileChanged' },
    { command: 'retry', label: t('queue.action.checkAgain'), show: s === 'review' },
    { command: 'cancel', label: t('queue.action.cancel'), show: s !== 'ready' && s !== 'review' && s !== 'canceled' && s !== 'uploaded' && s !== 'downloaded' },
  ];
  const shown = buttons.filter((b) => b.show);
  if (shown.length === 0) return null;
  return (
    <div className="form-actions details-actions">
      {shown.map((b) => (
        <button key={b.label} type="button" data-testid={`details-${b.command}`} onClick={() => run(b.command)}>{b.label}</button>
      ))}
    </div>
  );
}

/** What the job sent (or will send) to VOD with CreateUploadVideo. */
function SentMeta({ job }: { job: JobView }) {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const catalog = useApp((s) => s.catalog);
  const m = job.meta;
  const none = <span className="muted">{t('drawer.none')}</span>;
  const cate = m.cateId === undefined ? undefined : (catalog ? categoryPath(catalog.categories, m.cateId) : undefined) ?? `#${m.cateId}`;
  const group = m.templateGroupId === undefined ? undefined : catalog?.templateGroups.find((g) => g.id === m.templateGroupId)?.name ?? m.templateGroupId;
  const rows: [string, string, string | undefined][] = [
    ['title', t('edit.title'), m.title],
    ['category', t('edit.category', terms), cate],
    ['template-group', t('edit.templateGroup', terms), group],
    ['workflow', t('drawer.workflow'), m.workflowId],
    ['tags', t('edit.tags'), m.tags.length ? m.tags.join(', ') : undefined],
    ['description', t('edit.description'), m.description],
    ['storage', t('drawer.storage'), m.storageLocation],
    ['app', t('drawer.app'), m.appId],
    ['user-data', t('drawer.userData'), m.userData],
  ];
  return (
    <section className="details-sent">
      <h3>{t('drawer.sent')}</h3>
      <dl className="facts" data-testid="details-sent">
        {rows.map(([id, label, value]) => (
          <div key={id} className="contents">
            <dt>{label}</dt>
            <dd className="wrap" data-testid={`details-sent-${id}`}>{value ?? none}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/**
 * A job's error: first what happened and what to do, in the operator's language (from
 * its code and params); the code, the service's own words and the RequestId behind
 * "details". Long text wraps.
 */
export function JobErrorView({ error }: { error: JobError }) {
  const { t } = useTranslation();
  const text = useJobErrorText()(error);
  return (
    <div className="details-error" data-testid="details-job-error" data-code={error.code}>
      <p className="hint wrap" data-testid="details-error-hint">{text ?? error.hint ?? error.message}</p>
      <details data-testid="details-error-raw">
        <summary>{t('jobError.details')}</summary>
        <p className="break"><span className="muted small">{t('jobError.code')}:</span> <span className="mono code">{error.code}</span></p>
        <p className="wrap" data-testid="details-error-message"><span className="muted small">{t('jobError.raw')}:</span> {error.message}</p>
        {text && error.hint && <p className="wrap muted small">{error.hint}</p>}
        {error.requestId && <p className="muted small break">RequestId: <span className="mono">{error.requestId}</span></p>}
      </details>
    </div>
  );
}

/** The engine logs CRC-64 in decimal (as OSS sends it); the drawer shows hex like the job's own. */
function crcHex(v: unknown): string {
  try {
    return BigInt(String(v)).toString(16).padStart(16, '0');
  } catch {
    return String(v);
  }
}

/** Known event types get plain words; an unknown one shows its name as is. */
function EventRow({ event }: { event: JobEvent }) {
  const { t } = useTranslation();
  const time = useTime();
  const data = (event.data ?? {}) as Record<string, unknown>;
  let label = t(`details.event.${event.type}`, { defaultValue: event.type });
  let detail = Object.entries(data)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${k === 'crc64' ? crcHex(v) : String(v)}`)
    .join(' · ');
  if (event.type === 'state') {
    const from = typeof data.from === 'string' ? t(`state.${data.from}`) : '?';
    const to = typeof data.to === 'string' ? t(`state.${data.to}`) : '?';
    label = t('details.event.state', { from, to });
    const err = data.error as { code?: string } | undefined;
    detail = err?.code ?? '';
  }
  return (
    <li className="event" data-testid="details-event" data-type={event.type}>
      <span className="muted small event-time">{time(event.at)}</span>
      <span className="event-label">{label}</span>
      {detail && <span className="muted small mono event-detail break" title={detail}>{detail}</span>}
    </li>
  );
}
