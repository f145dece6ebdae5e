// What the composition root needs from the pieces it wires, as narrow interfaces:
// the queue store's profile table, the embedded sandbox, and a provider class.
// The real implementations are plugged in by create-app.ts; tests may pass real
// alternatives (a sandbox on another port, a store on a temp file).

import type { ProviderCredentials, ProviderName, VideoProvider } from '../engine/provider';
import type { ProfileRecord } from '../engine/store/records';

/** The queue store's profile table (main/engine/store QueueStore). */
export interface ProfileStore {
  listProfiles(): ProfileRecord[];
  getProfile(id: string): ProfileRecord | undefined;
  /** Inserts or updates; an undefined secretBlob/tokenBlob keeps the stored one, null removes it. */
  saveProfile(profile: ProfileRecord): void;
  deleteProfile(id: string): unknown;
  getActiveProfileId(): string | undefined;
  setActiveProfileId(id: string | null): void;
  /** Jobs of the profile that are neither ready nor canceled. */
  countUnfinishedJobs(profileId: string): number;
}

/** A running embedded sandbox (main/sandbox). */
export interface SandboxHandle {
  url: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  close(): Promise<void>;
}

export type StartSandbox = (opts: { dataDir: string }) => Promise<SandboxHandle>;

/**
 * A provider implementation as its class (not a factory function): the app's per-profile
 * stand-in reads the methods to forward from the class before any instance exists
 * (main/app/providers.ts).
 */
export type ProviderClass = (new (credentials: ProviderCredentials) => VideoProvider) & {
  /** The service its instances upload to (VideoProvider.name), known before one exists. */
  readonly providerName?: ProviderName;
};
