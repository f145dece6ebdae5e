// The job details drawer: everything the queue knows about one job (path, size,
// VideoId, state, VOD status, CRC-64, attempts, times, the error with its hint and
// RequestId) and its recent event log in plain words. Re-read whenever the engine
// reports a change to this job (store/queue.ts bumps detailsVersion).

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobEvent } from '../../../shared/ipc';
import type { JobView } from '../../../shared/types';
import { formatBytes } from '../../../shared/format';
import { getBridge } from '../bridge';
import { useApp } from '../store/app';
import { closeDetails } from '../store/queue';
import { errorText } from '../store/ui';
import { CopyButton } from './CopyButton';

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
  const time = useTime();
  const e = job.error;
  return (
    <>
      <dl className="facts" data-testid="details-facts">
        <dt>{t('details.path')}</dt>
        <dd className="mono break" data-testid="details-path">{job.path}</dd>
        <dt>{t('details.size')}</dt>
        <dd>{formatBytes(job.size)} <span className="muted small">({job.size.toLocaleString()} B)</span></dd>
        <dt>{t('queue.col.videoId')}</dt>
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
        <dt>{t('queue.col.vodStatus')}</dt>
        <dd data-testid="details-vodstatus">{job.vodStatus ? t(`vod.${job.vodStatus}`, { defaultValue: job.vodStatus }) : <span className="muted">—</span>}</dd>
        <dt>CRC-64</dt>
        <dd className="mono" data-testid="details-crc64">{job.crc64 ?? <span className="muted">—</span>}</dd>
        <dt>{t('details.attempts')}</dt>
        <dd data-testid="details-attempts">{job.attempts}</dd>
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
      {e && (
        <div className="details-error" data-testid="details-job-error">
          <p><span className="mono code">{e.code}</span> {e.message}</p>
          {e.hint && <p className="hint">{e.hint}</p>}
          {e.requestId && <p className="muted small">RequestId: <span className="mono">{e.requestId}</span></p>}
        </div>
      )}
    </>
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
      {detail && <span className="muted small mono event-detail ellipsis" title={detail}>{detail}</span>}
    </li>
  );
}
