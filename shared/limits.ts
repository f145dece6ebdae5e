// The service's own limits (docs/ARCHITECTURE.md §1), enforced before any request is sent.
// One place: every shell and the engine read these.

export const MAX_TITLE_CHARS = 128;
export const MAX_DESCRIPTION_CHARS = 1024;
export const MAX_TAGS = 16;
export const MAX_TAG_CHARS = 32;
/** 48.8 TB, as the service states it (decimal terabytes). */
export const MAX_FILE_BYTES = 48.8e12;

export const MIN_PART_BYTES = 100 * 1024;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;

export const VIDEO_EXTENSIONS = [
  '3gp', 'asf', 'avi', 'dat', 'dv', 'flv', 'f4v', 'gif', 'm2t', 'm3u8', 'm4v', 'mj2', 'mjpeg', 'mkv',
  'mov', 'mp4', 'mpe', 'mpg', 'mpeg', 'mts', 'ogg', 'qt', 'rm', 'rmvb', 'swf', 'ts', 'vob', 'wmv', 'webm',
] as const;
export const AUDIO_EXTENSIONS = [
  'aac', 'ac3', 'acm', 'amr', 'ape', 'caf', 'flac', 'm4a', 'mp3', 'ra', 'wav', 'wma',
] as const;
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'heic'] as const;

/**
 * The regions VOD serves, each at https://vod.<region>.aliyuncs.com (the VOD API
 * reference, "Endpoints", and the user guide's "Region IDs of ApsaraVideo VOD"). Many
 * regions have no VOD at all: an aliyun CLI profile's cn-hangzhou has no
 * vod.cn-hangzhou endpoint. ap-south-1 is listed as deactivated for new users but still
 * documented; its existing accounts keep it. Storage of a service region is only in that
 * region, so this is also the list of storage regions.
 */
export const VOD_REGIONS = [
  'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'cn-hongkong', 'ap-northeast-1', 'ap-southeast-1',
  'ap-southeast-5', 'ap-south-1', 'eu-central-1', 'us-west-1', 'me-central-1', 'cn-north-2-gov-1',
] as const;
export type VodRegion = (typeof VOD_REGIONS)[number];
export const STORAGE_REGIONS = VOD_REGIONS;
export type StorageRegion = VodRegion;

export const DEFAULT_APP_ID = 'app-1000000';

/**
 * UserData (CreateUploadVideo, CreateUploadImage; the "UserData" section of VOD's
 * "Request parameters" reference): a JSON object whose fields VOD reads are these three.
 * `Extend` is handed back in event callbacks and holds at most 512 bytes.
 */
export const USER_DATA_FIELDS = ['MessageCallback', 'Extend', 'AccelerateConfig'] as const;
export const MAX_USER_DATA_EXTEND_BYTES = 512;
/** As VOD's SetMessageCallback limits a callback URL. */
export const MAX_CALLBACK_URL_BYTES = 256;
/** MessageCallback.CallbackType: an HTTP callback or a message queue (MNS). */
export const CALLBACK_TYPES = ['http', 'mns'] as const;
