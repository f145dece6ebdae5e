// The name a download's file will get, for the download dialog's live preview: the engine's
// own rule (shared/download-names.ts), fed with what the dialog knows of a sample item.

import { fileNameFor } from '../../../shared/download-names';

export interface PreviewItem {
  kind: 'source' | 'stream' | 'cover' | 'snapshot' | 'sprite';
  definition?: string;
  format?: string;
  ext: string;
  index?: string;
}

/** The file name the engine will give an item (main/engine/download/file-names.ts renderName). */
export function previewName(template: string, v: { title: string; videoId: string }, item: PreviewItem): string {
  return fileNameFor(template, { ...item, ...v, key: item.index ? `${item.kind}:${item.index}` : item.kind });
}
