// Translated text for validation problems from shared/validation (which speaks English).

import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_DESCRIPTION_CHARS, MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS } from '../../../shared/limits';
import type { Problem } from '../../../shared/validation';

export function useProblemText(): (p: Problem) => string {
  const { t } = useTranslation();
  return useCallback(
    (p: Problem) => {
      const tag = /"(.*)"/.exec(p.message)?.[1] ?? '';
      return t(`problem.${p.code}`, {
        defaultValue: p.message,
        maxTitle: MAX_TITLE_CHARS,
        maxDescription: MAX_DESCRIPTION_CHARS,
        maxTags: MAX_TAGS,
        maxTag: MAX_TAG_CHARS,
        tag,
        ...p.params,
      });
    },
    [t],
  );
}
