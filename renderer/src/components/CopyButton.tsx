// Copies a VideoId to the clipboard, saying "Copied" for a moment.

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProviderTerms } from '../store/profiles';

export function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard permission (e.g. an insecure origin): the id stays selectable text.
      window.getSelection()?.selectAllChildren(document.body);
    }
  };
  return (
    <button type="button" className="icon-button copy" data-testid="copy-videoid" title={t('queue.copy', terms)} aria-label={t('queue.copy', terms)} onClick={() => void copy()}>
      {copied ? t('queue.copied') : t('queue.copyShort')}
    </button>
  );
}
