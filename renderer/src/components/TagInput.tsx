// Tags as chips: Enter or a comma (ASCII or full-width) adds, × or Backspace on an
// empty field removes. Validation is shown live by the caller.

import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { parseTags } from '../../../shared/validation';

interface Props {
  tags: readonly string[];
  onChange: (tags: string[]) => void;
  placeholder?: string;
  invalid?: boolean;
  id?: string;
}

export function TagInput({ tags, onChange, placeholder, invalid, id }: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');

  const commit = (text: string) => {
    const add = parseTags(text);
    if (add.length > 0) onChange([...tags, ...add]);
    setDraft('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit(draft);
    } else if (e.key === 'Backspace' && draft === '' && tags.length > 0) {
      onChange(tags.slice(0, -1));
    }
  };

  const onInput = (value: string) => {
    if (/[,，]/.test(value)) commit(value);
    else setDraft(value);
  };

  return (
    <div className={`tag-input${invalid ? ' invalid' : ''}`} data-testid="tag-input">
      {tags.map((tag, i) => (
        <span className="chip" key={`${tag}-${i}`} data-testid="tag-chip">
          {tag}
          <button
            type="button"
            className="chip-remove"
            aria-label={t('tags.remove', { tag })}
            onClick={() => onChange(tags.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        data-testid="tag-input-field"
        value={draft}
        placeholder={tags.length === 0 ? placeholder ?? t('tags.placeholder') : ''}
        onChange={(e) => onInput(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => draft.trim() && commit(draft)}
      />
    </div>
  );
}
