// Response bodies of the VOD OpenAPI actions the app uses, as the service sends them
// (vod-oss-facts.md). Only the fields we read are listed; all are optional where the
// service may leave them out.

export interface VodResponse {
  RequestId: string;
}

export interface CreateUploadVideoResponse extends VodResponse {
  VideoId: string;
  UploadAddress: string;
  UploadAuth: string;
}

export type RefreshUploadVideoResponse = CreateUploadVideoResponse;

export interface CreateUploadImageResponse extends VodResponse {
  ImageId: string;
  ImageURL: string;
  FileURL?: string;
  UploadAddress: string;
  UploadAuth: string;
}

export interface VodVideo {
  VideoId: string;
  Title?: string;
  Status: string;
  Size?: number;
  Duration?: number;
  CateId?: number;
  CateName?: string;
  CoverURL?: string;
  Description?: string;
  Tags?: string;
  TemplateGroupId?: string;
  StorageLocation?: string;
  RegionId?: string;
  AppId?: string;
  CreationTime?: string;
  ModificationTime?: string;
}

/** A video as GetVideoInfo(s) and SearchMedia answer it, with what the library reads besides. */
export interface VodVideoDetails extends VodVideo {
  Snapshots?: { Snapshot?: string[] };
}

export interface GetVideoInfoResponse extends VodResponse {
  Video: VodVideo;
}

export interface GetVideoInfosResponse extends VodResponse {
  VideoList?: VodVideoDetails[];
  NonExistVideoIds?: string[];
}

export interface GetMezzanineInfoResponse extends VodResponse {
  Mezzanine: {
    VideoId: string;
    FileName?: string;
    FileURL?: string;
    Size?: number;
    Status?: string;
    Duration?: string | number;
    Bitrate?: string | number;
    Fps?: string | number;
    Width?: number;
    Height?: number;
    /** Not in the reference's field table; the official SDK model has it. Hex MD5 when present. */
    FileMD5?: string;
    /** Shown in an older reference's sample only; unsigned decimal CRC-64 when present. */
    CRC64?: string;
    OutputType?: string;
    CreationTime?: string;
    PreprocessStatus?: string;
  };
}

/** GetPlayInfo's PlayInfo (api-getplayinfo); numbers may come as strings. */
export interface PlayInfo {
  PlayURL: string;
  Definition?: string;
  Format?: string;
  Bitrate?: string;
  Duration?: string;
  Size?: number | string;
  Width?: number | string;
  Height?: number | string;
  Fps?: string;
  /** 1 when encrypted (the stream downloads encrypted). */
  Encrypt?: number | string;
  EncryptType?: string;
  StreamType?: string;
  Specification?: string;
  JobId?: string;
  Status?: string;
  CreationTime?: string;
}

export interface GetPlayInfoResponse extends VodResponse {
  VideoBase?: Record<string, unknown>;
  PlayInfoList?: { PlayInfo?: PlayInfo[] };
}

/** ListSnapshots (api-listsnapshots). */
export interface ListSnapshotsResponse extends VodResponse {
  MediaSnapshot?: {
    Total?: number;
    Regular?: string;
    CreationTime?: string;
    JobId?: string;
    Snapshots?: { Snapshot?: { Index?: number; Url?: string }[] };
  };
}

export interface VodCategory {
  CateId: number;
  CateName: string;
  Level?: number;
  ParentId?: number;
  SubTotal?: number;
  Type?: string;
}

export interface GetCategoriesResponse extends VodResponse {
  SubTotal?: number;
  Category?: VodCategory;
  SubCategories?: { Category?: VodCategory[] };
}

export interface AddCategoryResponse extends VodResponse {
  Category: VodCategory;
}

export interface VodTemplateGroup {
  TranscodeTemplateGroupId: string;
  Name: string;
  IsDefault?: string;
  Locked?: string;
  AppId?: string;
}

export interface ListTranscodeTemplateGroupResponse extends VodResponse {
  TranscodeTemplateGroupList?: VodTemplateGroup[];
}

export interface VodWorkflow {
  WorkflowId: string;
  Name: string;
  Status?: string;
  Type?: string;
  AppId?: string;
}

export interface ListWorkflowResponse extends VodResponse {
  WorkflowList?: VodWorkflow[];
}

export interface VodAppInfo {
  AppId: string;
  AppName: string;
  Type?: string;
  Status?: string;
}

export interface ListAppInfoResponse extends VodResponse {
  Total?: number;
  AppInfoList?: VodAppInfo[];
}



/** SearchMedia (https://help.aliyun.com/document_detail/86044.html); only video results are read. */
export interface SearchMediaResponse extends VodResponse {
  Total?: number;
  /** The search session's position: passed back to page on (past the 5,000-result window too). */
  ScrollToken?: string;
  MediaList?: { MediaType?: string; MediaId?: string; CreationTime?: string; Video?: VodVideoDetails }[];
}

/** UpdateVideoInfos (https://help.aliyun.com/document_detail/86043.htm). */
export interface UpdateVideoInfosResponse extends VodResponse {
  NonExistVideoIds?: string[];
  ForbiddenVideoIds?: string[];
}

/** DeleteVideo (https://www.alibabacloud.com/help/doc-detail/52837.htm). */
export interface DeleteVideoResponse extends VodResponse {
  NonExistVideoIds?: string[];
  ForbiddenVideoIds?: string[];
}

/** DeleteMezzanines (https://help.aliyun.com/document_detail/93109.html). */
export interface DeleteMezzaninesResponse extends VodResponse {
  NonExistVideoIds?: string[];
  UnRemoveableVideoIds?: string[];
}

export interface SubmitTranscodeJobsResponse extends VodResponse {
  TranscodeTaskId?: string;
}

/** One entry of UpdateVideoInfos' UpdateContent: absent fields stay as they are. */
export interface VideoUpdateContent {
  VideoId: string;
  Title?: string;
  Description?: string;
  Tags?: string;
  CoverURL?: string;
  CateId?: number;
}
