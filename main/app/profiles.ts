// Profiles (accounts) as the shells see them: the store's rows with the secrets sealed
// by the SecretBox before they are stored, and never handed back out (ProfileView only
// says whether there is one). Credentials are opened here, in main, for a provider.

import crypto from 'crypto';
import type { ProfileInput, ProfileView } from '../../shared/types';
import { parseSubAppId, vodRegionProblem } from '../../shared/validation';
import { Emitter } from '../engine/events';
import type { ProviderCredentials } from '../engine/provider';
import type { ProfileRecord } from '../engine/store/records';
import { IpcError } from './ipc-error';
import type { ProfileStore } from './ports';
import type { SandboxHost } from './sandbox-host';
import { openSecret, type SecretBox } from './secret-box';

export const SANDBOX_PROFILE_ID = 'sandbox';
const SANDBOX_REGION = 'cn-shanghai';

export class ProfileService {
  private readonly changed = new Emitter<null>();
  /** Fires after any profile is saved or deleted, or the active one changes. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: ProfileStore,
    private readonly box: SecretBox,
    private readonly sandbox: SandboxHost,
  ) {}

  list(): ProfileView[] {
    return this.store.listProfiles().map(toView);
  }

  get(id: string): ProfileRecord | undefined {
    return this.store.getProfile(id);
  }

  activeId(): string | undefined {
    const id = this.store.getActiveProfileId();
    return id && this.get(id) ? id : undefined;
  }

  active(): ProfileView | null {
    const id = this.activeId();
    const rec = id ? this.get(id) : undefined;
    return rec ? toView(rec) : null;
  }

  /** A fresh install (no profile at all) gets the Sandbox profile, active, to try everything. */
  ensureDefault(): void {
    if (this.store.listProfiles().length > 0) return;
    this.store.saveProfile(sandboxRecord());
    this.store.setActiveProfileId(SANDBOX_PROFILE_ID);
  }

  /** Makes sure a Sandbox profile exists and is active (`vodup serve --sandbox`). */
  activateSandbox(): void {
    if (!this.get(SANDBOX_PROFILE_ID)) this.store.saveProfile(sandboxRecord());
    this.setActive(SANDBOX_PROFILE_ID);
  }

  save(input: ProfileInput): ProfileView {
    const { id, record } = this.recordOf(input);
    this.store.saveProfile(record);
    if (!this.activeId()) this.store.setActiveProfileId(id);
    this.changed.fire(null);
    return toView(this.store.getProfile(id) ?? record);
  }

  /**
   * The credentials an unsaved input would have (what save() would store, with an
   * omitted secret or token taken from the stored profile), to test them before saving.
   * Refuses what save() refuses, with the same words.
   */
  async candidateCredentials(input: ProfileInput): Promise<ProviderCredentials> {
    const { record } = this.recordOf(input);
    const existing = input.id ? this.get(input.id) : undefined;
    return this.credentialsOf({
      ...record,
      secretBlob: record.secretBlob ?? existing?.secretBlob ?? null,
      tokenBlob: record.tokenBlob === undefined ? existing?.tokenBlob ?? null : record.tokenBlob,
    });
  }

  /** save()'s checks and the record it stores (secretBlob/tokenBlob undefined = keep the stored one). */
  private recordOf(input: ProfileInput): { id: string; record: ProfileRecord } {
    const existing = input.id ? this.get(input.id) : undefined;
    const id = input.id ?? crypto.randomUUID();
    const name = input.name.trim();
    if (!name) throw new IpcError('InvalidProfile', 'Give the profile a name.');
    const region = input.region.trim();
    if (!/^[a-z]{2}(-[a-z0-9]+)+$/.test(region)) {
      throw new IpcError('InvalidProfile', `"${input.region}" is not a region id; use one like cn-shanghai.`);
    }
    const endpoint = input.endpoint?.trim() || undefined;
    if (endpoint) checkEndpoint(endpoint);
    // A region without VOD has no endpoint to call (the sandbox has its own endpoint).
    // Tencent's API is one global endpoint; its region only scopes the signature and storage.
    const regionProblem = input.kind !== 'aliyun' ? undefined : vodRegionProblem(region, endpoint);
    if (regionProblem) throw new IpcError('InvalidProfile', `${regionProblem} Choose one of them, or give the endpoint to use.`);

    let record: ProfileRecord;
    if (input.kind === 'sandbox') {
      // The sandbox's credentials are its own, created when it starts.
      record = { ...sandboxRecord(), id, name, region };
    } else {
      const tencent = input.kind === 'tencent';
      const accessKeyId = input.accessKeyId.trim();
      if (!accessKeyId) {
        throw new IpcError('InvalidProfile', tencent ? 'Enter the SecretId of a CAM user with VOD permissions.' : 'Enter the AccessKey ID of a RAM user with VOD permissions.');
      }
      const secret = input.accessKeySecret?.trim();
      const keepSecret = existing?.kind === input.kind && existing.accessKeyId === accessKeyId && hasBlob(existing.secretBlob);
      if (!secret && !keepSecret) {
        throw new IpcError('InvalidProfile', tencent
          ? (existing ? 'Enter the SecretKey that belongs to this SecretId.' : 'Enter the SecretKey.')
          : existing ? 'Enter the AccessKey secret that belongs to this AccessKey ID.' : 'Enter the AccessKey secret.');
      }
      // securityToken: omitted = keep the stored one; '' = remove it.
      const token = input.securityToken?.trim();
      const sub = parseSubAppId(tencent ? input.subAppId : undefined);
      if (sub.problem) throw new IpcError('InvalidProfile', sub.problem);
      record = {
        id, name, kind: tencent ? 'tencent' : 'aliyun', accessKeyId, region, endpoint,
        ...(sub.value !== undefined ? { subAppId: sub.value } : {}),
        secretBlob: secret ? this.box.encrypt(secret) : undefined,
        tokenBlob: input.securityToken === undefined
          ? (keepSecret ? undefined : null)
          : token ? this.box.encrypt(token) : null,
      };
    }
    return { id, record };
  }

  delete(id: string): void {
    if (!this.get(id)) throw new IpcError('ProfileNotFound', 'That profile does not exist (any more).');
    // Its jobs need this account to the end: RefreshUploadVideo works only for the
    // account that created the VideoId.
    const unfinished = this.store.countUnfinishedJobs(id);
    if (unfinished > 0) {
      throw new IpcError('ProfileInUse', `${unfinished} upload(s) in the queue belong to this account. Let them finish, or cancel them, before deleting it.`);
    }
    const wasActive = this.activeId() === id;
    this.store.deleteProfile(id);
    if (wasActive) this.store.setActiveProfileId(this.store.listProfiles()[0]?.id ?? null);
    this.changed.fire(null);
  }

  setActive(id: string): void {
    if (!this.get(id)) throw new IpcError('ProfileNotFound', 'That profile does not exist (any more).');
    this.store.setActiveProfileId(id);
    this.changed.fire(null);
  }

  /** Opens a profile's credentials for a provider; starts the sandbox for a Sandbox profile. */
  async credentials(id: string): Promise<ProviderCredentials> {
    const rec = this.get(id);
    if (!rec) {
      throw new IpcError('ProfileNotFound', 'The profile these uploads belong to was deleted. Add it again with the same AccessKey, then retry.');
    }
    return this.credentialsOf(rec);
  }

  private async credentialsOf(rec: ProfileRecord): Promise<ProviderCredentials> {
    if (rec.kind === 'sandbox') {
      const sb = await this.sandbox.ensure();
      return { accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url };
    }
    if (!hasBlob(rec.secretBlob)) {
      throw new IpcError('NoSecret', `Profile "${rec.name}" has no ${rec.kind === 'tencent' ? 'SecretKey' : 'AccessKey secret'}. Edit it and enter one.`);
    }
    return {
      ...(rec.kind === 'tencent' ? { provider: 'tencent' as const } : {}),
      accessKeyId: rec.accessKeyId,
      accessKeySecret: openSecret(this.box, rec.secretBlob, rec.name),
      ...(hasBlob(rec.tokenBlob) ? { securityToken: openSecret(this.box, rec.tokenBlob, rec.name) } : {}),
      region: rec.region,
      ...(rec.endpoint ? { endpoint: rec.endpoint } : {}),
      ...(rec.kind === 'tencent' && rec.subAppId !== undefined ? { subAppId: rec.subAppId } : {}),
    };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function hasBlob(b: Buffer | null | undefined): b is Buffer {
  return Buffer.isBuffer(b) && b.length > 0;
}

function sandboxRecord(): ProfileRecord {
  // accessKeyId is a label here: the sandbox makes its own keys when it starts.
  return { id: SANDBOX_PROFILE_ID, name: 'Sandbox', kind: 'sandbox', accessKeyId: 'sandbox', region: SANDBOX_REGION, secretBlob: null, tokenBlob: null };
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new IpcError('InvalidProfile', `"${endpoint}" is not a URL; leave the endpoint empty to use https://vod.<region>.aliyuncs.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new IpcError('InvalidProfile', 'The endpoint must be an http(s) URL.');
  }
}

export function toView(rec: ProfileRecord): ProfileView {
  return {
    id: rec.id,
    name: rec.name,
    kind: rec.kind,
    accessKeyId: rec.accessKeyId,
    region: rec.region,
    ...(rec.endpoint ? { endpoint: rec.endpoint } : {}),
    ...(rec.subAppId !== undefined ? { subAppId: rec.subAppId } : {}),
    hasSecret: rec.kind === 'sandbox' || hasBlob(rec.secretBlob),
    hasSecurityToken: hasBlob(rec.tokenBlob),
  };
}
