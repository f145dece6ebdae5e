// UI slice actions: navigation, language, notices.

import i18n from '../i18n';
import { getState, setState, type Language, type Notice, type View } from './app';

let nextNoticeId = 1;
const LANGUAGE_KEY = 'vod.language';

export function showView(view: View): void {
  setState({ view });
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

export function notify(text: string, kind: 'info' | 'error' = 'info'): void {
  push({ id: nextNoticeId++, kind, text });
}

/** A notice in the operator's language, re-rendered if the language changes. */
export function notifyKey(key: string, params: Record<string, unknown> = {}, kind: 'info' | 'error' = 'info'): void {
  push({ id: nextNoticeId++, kind, key, params });
}

function push(notice: Notice): void {
  const { id, kind } = notice;
  setState({ notices: [...getState().notices, notice].slice(-4) });
  // Info notices fade on their own; errors stay until the operator dismisses them.
  if (kind === 'info') window.setTimeout(() => dismissNotice(id), 6000);
}

export function dismissNotice(id: number): void {
  setState({ notices: getState().notices.filter((n) => n.id !== id) });
}

/** The OS language wins unless the operator picked one in the header before. */
export function initialLanguage(osLocale: string | undefined): Language {
  const saved = window.localStorage.getItem(LANGUAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const locale = osLocale || navigator.language || 'en';
  return locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export async function setLanguage(language: Language, remember = true): Promise<void> {
  if (remember) window.localStorage.setItem(LANGUAGE_KEY, language);
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
  setState({ language });
}
