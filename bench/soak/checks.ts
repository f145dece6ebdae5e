// What must hold when the soak ends, each as a precise message when it does not: every
// file's object equals the file byte for byte, one VideoId per file and no orphan
// video, every job `ready`, and every configured fault fired.

import fs from 'fs';
import type { SandboxVideo } from '../../main/sandbox/index';
import type { CredentialRecord } from '../../main/sandbox/state';
import type { StatusJob } from './cli';
import type { SoakFile } from './files';
import type { AdminState } from './sandbox-process';

/** A `vodup` process of the soak: when it ran (the sandbox's clock is the same machine's). */
export interface RunWindow {
  start: number;
  end: number;
}

/** Faults with a counter in the sandbox's stats.injected. */
const INJECTED: Readonly<Record<string, string>> = {
  errorRate: 'errors',
  resetRate: 'resets',
  throttleRate: 'throttles',
  requestTimeoutRate: 'requestTimeouts',
  lostAnswerRate: 'lostAnswers',
};

export interface Evidence {
  files: readonly SoakFile[];
  jobs: readonly StatusJob[];
  videos: readonly SandboxVideo[];
  readObject(bucket: string, key: string): Promise<Buffer | undefined>;
  stats: AdminState;
  faults: Readonly<Record<string, number>>;
  credentials: readonly CredentialRecord[];
  windows: readonly RunWindow[];
}

export interface Verdict {
  violations: string[];
  /** Per configured fault: how often it fired (credentialTtlSeconds: credentials renewed within one run). */
  fired: Record<string, number>;
  /** Renewals where the run outlived the credential it started with (it kept uploading past the expiry). */
  outlived: number;
}

export async function checkSoak(e: Evidence): Promise<Verdict> {
  const violations: string[] = [];
  const byPath = new Map<string, StatusJob[]>();
  for (const j of e.jobs) byPath.set(j.path, [...(byPath.get(j.path) ?? []), j]);

  // One job per file, each `ready`.
  for (const f of e.files) {
    const jobs = byPath.get(f.path) ?? [];
    if (jobs.length !== 1) violations.push(`${f.name}: ${jobs.length} jobs in the queue (expected 1)${jobs.length ? `: ${jobs.map((j) => `#${j.id}`).join(', ')}` : ''}.`);
    for (const j of jobs) {
      if (j.state !== 'ready') {
        violations.push(`${f.name} (job #${j.id}): state ${j.state}${j.vodStatus ? `, VOD ${j.vodStatus}` : ''}, expected ready${j.error ? ` — ${j.error.code}: ${j.error.message}` : ''}.`);
      }
    }
  }
  for (const j of e.jobs) {
    if (!e.files.some((f) => f.path === j.path)) violations.push(`Job #${j.id} is for ${j.path}, which is not a file of the soak.`);
  }

  // One VideoId per file: as many successful CreateUploadVideo as files, no title twice.
  if (e.stats.createUploadVideo !== e.files.length) {
    violations.push(`VOD answered CreateUploadVideo ${e.stats.createUploadVideo} times for ${e.files.length} files (expected one VideoId per file).`);
  }
  const videosByTitle = new Map<string, SandboxVideo[]>();
  for (const v of e.videos) videosByTitle.set(v.title, [...(videosByTitle.get(v.title) ?? []), v]);
  const jobByVideo = new Map(e.jobs.filter((j) => j.videoId).map((j) => [j.videoId!, j]));
  for (const [title, videos] of videosByTitle) {
    if (videos.length > 1) {
      violations.push(`Title "${title}" has ${videos.length} videos: ${videos.map((v) => `${v.videoId} (${v.status}${jobByVideo.has(v.videoId) ? `, job #${jobByVideo.get(v.videoId)!.id}` : ', no job'})`).join(', ')}.`);
    }
  }
  for (const v of e.videos) {
    if (!jobByVideo.has(v.videoId)) violations.push(`Video ${v.videoId} ("${v.title}", ${v.status}) belongs to no job: an orphan.`);
  }
  const seen = new Set<string>();
  for (const j of e.jobs) {
    if (!j.videoId) continue;
    if (seen.has(j.videoId)) violations.push(`VideoId ${j.videoId} is used by more than one job (#${j.id} and another).`);
    seen.add(j.videoId);
  }

  // Byte for byte: the object behind each job's video equals its file.
  for (const f of e.files) {
    const job = byPath.get(f.path)?.[0];
    if (!job?.videoId) {
      violations.push(`${f.name}: no VideoId recorded, so no object to compare.`);
      continue;
    }
    const video = e.videos.find((v) => v.videoId === job.videoId);
    if (!video) {
      violations.push(`${f.name}: job #${job.id} has VideoId ${job.videoId}, which VOD does not know.`);
      continue;
    }
    const stored = await e.readObject(video.bucket, video.objectKey);
    const file = fs.readFileSync(f.path);
    if (!stored) violations.push(`${f.name}: video ${video.videoId} has no object at ${video.objectKey}.`);
    else if (stored.length !== file.length) violations.push(`${f.name}: the object ${video.objectKey} has ${stored.length} bytes, the file ${file.length}.`);
    else if (!stored.equals(file)) violations.push(`${f.name}: the object ${video.objectKey} differs from the file first at byte ${firstDifference(stored, file)}.`);
  }

  // Every configured fault fired.
  const fired: Record<string, number> = {};
  for (const [fault, rate] of Object.entries(e.faults)) {
    const counter = INJECTED[fault];
    if (!counter || rate <= 0) continue;
    fired[fault] = (e.stats.injected as Record<string, number>)[counter] ?? 0;
    if (fired[fault] === 0) violations.push(`The fault ${fault}=${rate} never fired (stats.injected.${counter} = 0).`);
  }
  const ttl = e.faults.credentialTtlSeconds;
  let outlived = 0;
  if (ttl !== undefined) {
    const r = renewals(e.credentials, e.windows, ttl * 1000);
    fired.credentialTtlSeconds = r.renewals;
    outlived = r.outlived;
    if (r.renewals === 0) {
      violations.push(`The ${ttl} s credential lifetime never made a run renew a credential (no upload got a second credential within one \`vodup\` process): the runs were too short to exercise it.`);
    }
  }
  return { violations, fired, outlived };
}

/**
 * Credentials the sandbox issued for the same object within one `vodup` process beyond
 * the first (RefreshUploadVideo while that process kept uploading), and how many of
 * them came after the process's first credential for the object had expired.
 */
export function renewals(credentials: readonly CredentialRecord[], windows: readonly RunWindow[], ttlMs: number): { renewals: number; outlived: number } {
  let count = 0;
  let outlived = 0;
  for (const w of windows) {
    const issued = new Map<string, number[]>();
    for (const c of credentials) {
      const at = c.expiresAt - ttlMs;
      if (at < w.start || at > w.end) continue;
      issued.set(c.objectKey, [...(issued.get(c.objectKey) ?? []), at]);
    }
    for (const times of issued.values()) {
      times.sort((a, b) => a - b);
      count += times.length - 1;
      outlived += times.filter((t) => t >= times[0] + ttlMs).length;
    }
  }
  return { renewals: count, outlived };
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
