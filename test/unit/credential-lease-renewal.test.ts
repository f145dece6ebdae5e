// The credential lease of a provider that cannot renew (docs/ARCHITECTURE.md §3 "Providers"):
// the credential is used to its last seconds, then the lease says UPLOAD_SESSION_EXPIRED
// so the engine re-opens; a credential the store refused is not used again. A provider
// that can renew gets one renewal for many stale callers.

import { describe, expect, it } from 'vitest';
import { CredentialLease } from '../../main/engine/credential-lease';
import { UPLOAD_SESSION_EXPIRED } from '../../main/engine/errors';
import type { RenewedCredential, UploadCredential } from '../../main/engine/provider';

const target = { endpoint: 'https://store', bucket: 'b', objectKey: 'k' };
const cred = (expiresAt: number, id = 'k1'): UploadCredential => ({ accessKeyId: id, accessKeySecret: 's', securityToken: 't', expiresAt });

describe('a lease whose provider cannot renew', () => {
  it('uses the credential until its last seconds, then asks for a new session', async () => {
    let now = 0;
    let asked = 0;
    const lease = new CredentialLease(async () => {
      asked++;
      return undefined;
    }, target, cred(600_000), { now: () => now });
    // A renewable lease would renew a minute before the end; this one keeps going.
    now = 590_000;
    expect((await lease.current()).accessKeyId).toBe('k1');
    expect(asked).toBe(1);
    now = 597_000;
    expect((await lease.current()).accessKeyId).toBe('k1');
    expect(asked).toBe(1); // the provider is not asked again
    now = 598_500;
    await expect(lease.current()).rejects.toMatchObject({ code: UPLOAD_SESSION_EXPIRED, kind: 'credentialExpired', retryable: false });
    expect(lease.version).toBe(0);
  });

  it('does not use a credential the store refused', async () => {
    const first = cred(600_000);
    const lease = new CredentialLease(async () => undefined, target, first, { now: () => 0 });
    await expect(lease.refresh(first)).rejects.toMatchObject({ code: UPLOAD_SESSION_EXPIRED });
  });
});

describe('a lease whose provider renews', () => {
  it('renews once for many callers holding the stale credential, and moves to the answered target', async () => {
    let renewals = 0;
    const lease = new CredentialLease(async (): Promise<RenewedCredential> => {
      renewals++;
      return { target: { ...target, objectKey: 'k2' }, credential: cred(1_200_000, 'k2') };
    }, target, cred(600_000), { now: () => 0 });
    const stale = await lease.current();
    const all = await Promise.all([lease.refresh(stale), lease.refresh(stale), lease.refresh(stale)]);
    expect(all.map((c) => c.accessKeyId)).toEqual(['k2', 'k2', 'k2']);
    expect(renewals).toBe(1);
    expect(lease.version).toBe(1);
    expect(lease.target.objectKey).toBe('k2');
    // A caller with the old credential after the renewal gets the new one without a renewal.
    expect((await lease.refresh(stale)).accessKeyId).toBe('k2');
    expect(renewals).toBe(1);
  });

  it('renews a long-lived credential at 90 % of its life, before any part meets its end', async () => {
    let now = 0;
    let renewals = 0;
    const lease = new CredentialLease(async (): Promise<RenewedCredential> => {
      renewals++;
      return { target, credential: cred(now + 1_800_000, `k${renewals + 1}`) };
    }, target, cred(1_800_000), { now: () => now });
    now = 1_610_000;
    expect((await lease.current()).accessKeyId).toBe('k1');
    expect(renewals).toBe(0);
    now = 1_625_000;
    expect((await lease.current()).accessKeyId).toBe('k2');
    expect(renewals).toBe(1);
    // A part expected to take five minutes moves the renewal earlier still.
    lease.setExpectedPartMs(300_000);
    now = 1_625_000 + 1_400_000;
    expect((await lease.current()).accessKeyId).toBe('k3');
    expect(renewals).toBe(2);
  });
});
