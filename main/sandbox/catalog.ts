// The fixed parts of the sandbox's VOD account: seeded categories, transcode template
// groups, workflows and applications. Categories can grow (AddCategory) and live in
// the persisted state; the rest is read-only, as it is for an upload tool.
import type { CategoryRecord } from './state';

export const DEFAULT_APP_ID = 'app-1000000';
export const NO_TRANSCODE_GROUP_ID = 'VOD_NO_TRANSCODE';
export const DEFAULT_TEMPLATE_GROUP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const HLS_TEMPLATE_GROUP_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const FHD_TEMPLATE_GROUP_ID = '5d5e5f606162636465666768696a6b6c';

const CREATED = '2024-01-01T00:00:00Z';

export interface TemplateGroup {
  TranscodeTemplateGroupId: string;
  Name: string;
  IsDefault: 'Default' | 'NotDefault';
  Locked: 'Enabled' | 'Disabled';
  AppId: string;
  CreationTime: string;
  ModifyTime: string;
}

export const TEMPLATE_GROUPS: readonly TemplateGroup[] = [
  { TranscodeTemplateGroupId: DEFAULT_TEMPLATE_GROUP_ID, Name: 'Default (MP4 LD/SD/HD)', IsDefault: 'Default', Locked: 'Disabled', AppId: DEFAULT_APP_ID, CreationTime: CREATED, ModifyTime: CREATED },
  { TranscodeTemplateGroupId: HLS_TEMPLATE_GROUP_ID, Name: 'HLS adaptive', IsDefault: 'NotDefault', Locked: 'Disabled', AppId: DEFAULT_APP_ID, CreationTime: CREATED, ModifyTime: CREATED },
  { TranscodeTemplateGroupId: FHD_TEMPLATE_GROUP_ID, Name: 'MP4 1080p only', IsDefault: 'NotDefault', Locked: 'Disabled', AppId: DEFAULT_APP_ID, CreationTime: CREATED, ModifyTime: CREATED },
  { TranscodeTemplateGroupId: NO_TRANSCODE_GROUP_ID, Name: 'No transcoding', IsDefault: 'NotDefault', Locked: 'Enabled', AppId: DEFAULT_APP_ID, CreationTime: CREATED, ModifyTime: CREATED },
];

/** One output of a template group: a stream per definition and format (GetPlayInfo's PlayInfo). */
export interface Rendition {
  definition: string;
  format: 'mp4' | 'm3u8';
  width: number;
  height: number;
  /** Kbit/s. */
  bitrate: number;
}

const LD = { definition: 'LD', width: 640, height: 360, bitrate: 400 } as const;
const SD = { definition: 'SD', width: 960, height: 540, bitrate: 800 } as const;
const HD = { definition: 'HD', width: 1280, height: 720, bitrate: 1500 } as const;
const FHD = { definition: 'FHD', width: 1920, height: 1080, bitrate: 3000 } as const;

/** What each template group makes; VOD_NO_TRANSCODE makes nothing (the source is the only file). */
export const TEMPLATE_GROUP_OUTPUTS: Readonly<Record<string, readonly Rendition[]>> = {
  [DEFAULT_TEMPLATE_GROUP_ID]: [LD, SD, HD].map((r) => ({ ...r, format: 'mp4' as const })),
  [HLS_TEMPLATE_GROUP_ID]: [LD, SD, HD].map((r) => ({ ...r, format: 'm3u8' as const })),
  [FHD_TEMPLATE_GROUP_ID]: [{ ...FHD, format: 'mp4' }],
  [NO_TRANSCODE_GROUP_ID]: [],
};

export const WORKFLOWS = [
  { WorkflowId: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b', Name: 'Transcode and snapshot', Status: 'Enabled', Type: 'Transcode', AppId: DEFAULT_APP_ID, CreationTime: CREATED, ModifyTime: CREATED },
  { WorkflowId: '1a2b3c4d5e6f708192a3b4c5d6e7f809', Name: 'Audit then transcode', Status: 'Enabled', Type: 'Transcode', AppId: DEFAULT_APP_ID, CreationTime: CREATED, ModifyTime: CREATED },
] as const;

export const APPS = [
  { AppId: DEFAULT_APP_ID, AppName: 'System default', Type: 'System', Status: 'Normal', Description: 'The default application', CreationTime: CREATED, ModificationTime: CREATED },
  { AppId: 'app-2000001', AppName: 'Training videos', Type: 'Custom', Status: 'Normal', Description: 'A second application', CreationTime: CREATED, ModificationTime: CREATED },
] as const;

/** Three levels (0, 1, 2), as VOD allows. */
export function seedCategories(): { categories: Record<string, CategoryRecord>; nextCateId: number } {
  const list: CategoryRecord[] = [
    { cateId: 1000001, cateName: 'Movies', parentId: -1, level: 0, type: 'default' },
    { cateId: 1000002, cateName: 'Action', parentId: 1000001, level: 1, type: 'default' },
    { cateId: 1000003, cateName: 'Classics', parentId: 1000002, level: 2, type: 'default' },
    { cateId: 1000004, cateName: 'Documentary', parentId: 1000001, level: 1, type: 'default' },
    { cateId: 1000005, cateName: 'Sports', parentId: -1, level: 0, type: 'default' },
    { cateId: 1000006, cateName: 'Football', parentId: 1000005, level: 1, type: 'default' },
    { cateId: 1000007, cateName: 'Training', parentId: -1, level: 0, type: 'default' },
    { cateId: 1000008, cateName: 'Stock footage', parentId: -1, level: 0, type: 'material' },
  ];
  return { categories: Object.fromEntries(list.map((c) => [String(c.cateId), c])), nextCateId: 1000009 };
}
