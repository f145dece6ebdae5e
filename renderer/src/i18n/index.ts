// i18next set-up: English and Simplified Chinese, bundled (no network loads under the
// strict CSP). The language is chosen at boot (store/ui.ts) from the OS locale.

import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-CN';

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  interpolation: { escapeValue: false },
  returnNull: false,
});

export default i18n;
