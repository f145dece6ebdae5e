// `vodup`: the command-line shell of the upload engine (docs/ARCHITECTURE.md §2). Each
// sub-command lives in commands/; this file only declares the grammar.

import { Command, CommanderError, Option } from 'commander';
import { catalogCommand } from './commands/catalog';
import { controlCommand, type ControlAction } from './commands/control';
import { deleteCommand } from './commands/delete';
import { editCommand } from './commands/edit';
import { libraryCommand } from './commands/library';
import { downloadCommand } from './commands/download';
import { exportCommand } from './commands/export';
import { ledgerExportCommand, ledgerSeedCommand } from './commands/ledger';
import { probeCommand } from './commands/probe';
import { runCommand } from './commands/run';
import { sandboxCommand } from './commands/sandbox';
import { serveCommand } from './commands/serve';
import { statusCommand } from './commands/status';
import { uploadCommand } from './commands/upload';
import { urlsCommand } from './commands/urls';
import { watchCommand } from './commands/watch';
import { CliError, EXIT } from './errors';
import { applyNetworkFlags, networkOptions } from './network';
import { categoryId, downloadWhat, intIn, megabytesPerSecond, parseSelector, uploadWindowFlag } from './options';
import { QUEUE_TABS } from '../../shared/types';
import { DEFAULT_PROGRESS_INTERVAL_SEC } from './reporter';
import { endOnBrokenPipe } from './session';
import { cateFlag, collect, dateFlag } from './library-session';
import { EngineError } from '../engine/errors';

const HELP_FOOTER = `
Credentials (upload, run, watch), the first found wins:
  1. VOD_ACCESS_KEY_ID + VOD_ACCESS_KEY_SECRET (+ VOD_SECURITY_TOKEN for an STS token)
  2. ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN)
  3. the aliyun CLI's ~/.aliyun/config.json (current profile, or ALIBABA_CLOUD_PROFILE)
  4. ~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE): section [default]
     (or ALIBABA_CLOUD_PROFILE) with type = access_key or sts
Region: VOD_REGION, else ALIBABA_CLOUD_REGION_ID, else the aliyun CLI profile's, else
cn-shanghai; a region VOD does not serve (cn-hangzhou…) is refused. VOD_ENDPOINT points
at another endpoint (a sandbox).

The queue lives in $VODUP_HOME/queue.db (default ~/.vodup/queue.db); --db overrides.

Exit codes: 0 all done; 1 a job failed or did not finish; 2 bad input, usage or
credentials (valid files of the same command are still uploaded); 130/143 stopped by
SIGINT/SIGTERM after a graceful shutdown (\`vodup run\` resumes); 141 stdout closed
(a pipe's reader quit) while uploading, after the same graceful stop. A command never
exits 0 with work it could not finish: on a full disk under the queue it waits, saying so.`;

/** A repeatable option kept as given (commander's default keeps only the last). */
function collectRaw(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('vodup')
    .description('Resumable, verified bulk upload into Alibaba Cloud ApsaraVideo VOD.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride();

  const dbOption = () => new Option('--db <path>', 'queue database (default $VODUP_HOME/queue.db or ~/.vodup/queue.db)');
  const runOptions = (cmd: Command): Command => networkOptions(cmd)
    .addOption(dbOption())
    .option('--part-size <MiB>', 'part size in MiB (0 = automatic, from the file size and the measured speed)', intIn(0, 5 * 1024, ' MiB'))
    .option('--parallel <n>', 'at most this many parts in flight, across all files (default 16; fewer are used while more do not help)', intIn(1, 256))
    .option('--files <n>', 'at most this many files in flight (default 32; fewer are used while more do not help)', intIn(1, 64))
    .option('--bwlimit <MB/s>', 'bandwidth cap for the whole run in MB/s (10^6 bytes); 0 = none', megabytesPerSecond)
    .option('--window <from-to>', 'transfer (upload and download) only between these local times, e.g. 22:00-06:00 ("any" = any time); outside it the command waits', uploadWindowFlag)
    .option('--progress-interval <s>', 'seconds between progress lines when the output is not a terminal (0 = none)', intIn(0, 86_400, ' s'), DEFAULT_PROGRESS_INTERVAL_SEC)
    .option('--json', 'stdout: one JSON line per file as it finishes; nothing else (progress lines go to stderr)');

  // A file this account already uploaded (the ledger) or has in the queue: matched by
  // size and sampled content, so a moved or renamed file is found too.
  const duplicatesOption = () => new Option('--duplicates <policy>',
    'a file this account already uploaded or queued: skip it (reported with its VideoId), upload it again as a new video, or fail (enqueue nothing)')
    .choices(['skip', 'upload', 'fail']).default('skip');

  // The metadata of each file: shared by upload and watch.
  const metaOptions = (cmd: Command): Command => cmd
    .option('--title <title>',
      'title; with several files "{name}" stands for each file\'s own name, otherwise the file name is appended')
    .option('--description <text>', 'description (≤ 1024 characters)')
    .option('--category <CateId>', 'category id', categoryId)
    .option('--tags <a,b>', 'comma-separated tags (≤ 16, each ≤ 32 characters)')
    .option('--template-group <id>', 'transcode template group id')
    .option('--workflow <id>', 'workflow id (wins over the template group)')
    .option('--storage-location <location>', 'storage location (bucket) for the media')
    .option('--app-id <id>', 'VOD application id (default app-1000000)')
    .option('--user-data <json>', 'UserData JSON object (callback, extend)')
    .option('--cover <path>', 'cover image (png/jpg/jpeg/gif/heic) set on every video');

  metaOptions(runOptions(program.command('upload')
    .description('Upload files and folders (folders recursively; other formats are skipped with the reason).')
    .argument('[paths...]', 'video/audio files or folders')))
    .option('--manifest <file>', 'a CSV or JSON list of files with their own title, category, tags… (see README); the flags above fill what a row leaves empty')
    .option('--no-wait-ready', 'done when the object is in OSS, without waiting for VOD status Normal')
    .option('--hold', 'only enqueue, paused; start later with `vodup resume` and `vodup run`')
    .option('--no-probe', 'do not check each file with ffprobe before it is enqueued')
    .option('--strict', 'refuse files ffprobe cannot read as media (zero-byte, not video/audio) instead of warning; exit 2')
    .addOption(duplicatesOption())
    .action(async (paths: string[], flags) => setExit(await uploadCommand(paths, flags)));

  metaOptions(runOptions(program.command('watch')
    .description('Watch drop folders (recursively) and upload each video that lands there once, after it stopped changing; runs until SIGINT/SIGTERM.')
    .argument('<folders...>', 'folders a transfer tool fills')))
    .option('--interval <sec>', 'seconds between scans', intIn(1, 86_400, ' s'), 10)
    .option('--settle <sec>', 'seconds a file must keep the same size and mtime before it is taken', intIn(0, 86_400, ' s'), 30)
    .addOption(duplicatesOption())
    .action(async (folders: string[], flags) => setExit(await watchCommand(folders, flags)));

  runOptions(program.command('download')
    .description('Download what VOD has of videos (source, streams by definition, cover, snapshots) into a folder, resumably and verified; into the same queue as uploads. The same command again (or `vodup run`) continues an interrupted one.')
    .argument('[videoIds...]', 'VideoIds'))
    .option('--from <file>', 'the VideoIds of a results export (`vodup export`, CSV or JSON: its video_id column)')
    .requiredOption('--what <items>', 'comma-separated: source, streams (all), streams:HD (a definition), streams:HD:mp4, cover, snapshots, sprites', downloadWhat)
    .requiredOption('--out <dir>', 'the folder to download into (created if missing)')
    .option('--name <template>', 'file name from {title}, {videoId}, {definition}, {format}, {kind}, {index}, {ext} (".ext" is added unless {ext} is placed); default {title}, {title}-{definition} for streams; a taken name gets " (2)"')
    .option('--sidecar', 'write <file>.json beside each file with the video\'s metadata')
    .option('--hold', 'only enqueue, paused; start later with `vodup resume` and `vodup run`')
    .action(async (ids: string[], flags) => setExit(await downloadCommand(ids, flags)));

  runOptions(program.command('run')
    .description('Continue whatever the queue holds (the resume path) until nothing is left to do.'))
    .action(async (flags) => setExit(await runCommand(flags)));

  program.command('status')
    .description('List every job: state, VOD status, VideoId, bytes done, size, error.')
    .addOption(dbOption())
    .option('--json', 'one JSON line per job')
    .action(async (flags) => setExit(await statusCommand(flags)));

  networkOptions(program.command('catalog'))
    .description('List the ids upload takes, read from the account: categories (a tree), transcode template groups, workflows, applications. Parts the AccessKey may not read are named on stderr; exit 2 if it may read none, 1 if VOD could not be asked.')
    .option('--json', 'one JSON object {categories, templateGroups, workflows, apps, refused}')
    .action(async (flags) => setExit(await catalogCommand(flags)));

  program.command('probe')
    .description('Read duration, resolution and codecs of files with ffprobe and flag files that are not readable as media (VOD would fail to transcode them). Uploads nothing; exit 1 if any is unreadable.')
    .argument('<paths...>', 'video/audio files or folders')
    .option('--json', 'one JSON line per file')
    .action(async (paths: string[], flags) => setExit(await probeCommand(paths, flags)));

  program.command('export')
    .description('Export the queue\'s results (VideoId, state, VOD status, CRC-64, times, error) as CSV (UTF-8 with BOM) or JSON.')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'json']).default('csv'))
    .addOption(new Option('--tab <tab>', 'only the jobs of one tab (default: all jobs)').choices([...QUEUE_TABS]))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (flags) => setExit(await exportCommand(flags)));

  const ledger = program.command('ledger')
    .description('What this app uploaded (kept when jobs leave the queue).');
  networkOptions(ledger.command('seed'))
    .description('On a fresh machine: record the files the account already has in VOD (same title and size, and proven the same bytes by the source\'s CRC-64), so uploads skip them.')
    .argument('<paths...>', 'video/audio files or folders')
    .addOption(dbOption())
    .option('--json', 'one JSON line per file')
    .action(async (paths: string[], flags) => setExit(await ledgerSeedCommand(paths, flags)));
  ledger.command('export')
    .description('Export the ledger: VideoId, title, path, size, sampled hash, CRC-64, when — of the credentials\' account, or --all.')
    .addOption(dbOption())
    .option('--json', 'JSON (an array)')
    .option('--csv', 'CSV, UTF-8 with BOM (the default)')
    .option('--all', 'every account\'s uploads, not only the account of the credentials')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (flags) => setExit(await ledgerExportCommand(flags)));

  // The media library: videos already in VOD (SearchMedia, UpdateVideoInfos, DeleteVideo).
  program.command('library')
    .description('List the account\'s videos in VOD (SearchMedia), newest first, past VOD\'s 5,000-result window; videos this queue uploaded show their job.')
    .option('--title <words>', 'title words (VOD matches titles loosely: "clip 1" also finds "clip 10")')
    .option('--cate <CateId>', 'category id', cateFlag)
    .option('--tag <tag>', 'having this tag (repeat, or a,b, for any of several)', collect)
    .option('--status <status>', 'VOD status, e.g. Normal, Checking, TranscodeFail (repeat, or a,b)', collect)
    .option('--from <date>', 'created at or after: 2024-01-31 (UTC) or 2024-01-31T08:00:00+08:00', dateFlag(false))
    .option('--to <date>', 'created before; a date alone means through that day (UTC)', dateFlag(true))
    .option('--storage <location>', 'storage location, as the VOD console shows it')
    .option('--app <id>', 'VOD application id')
    .addOption(new Option('--sort <order>', 'by creation time').choices(['asc', 'desc']).default('desc'))
    .option('--limit <n>', `at most this many videos (default 50)`, intIn(1, 10_000_000))
    .option('--all', 'every matching video')
    .addOption(dbOption())
    .option('--json', 'one JSON line per video')
    .action(async (flags) => setExit(await libraryCommand(flags)));

  const matchOption = () => new Option('--match <key=value>',
    'select videos by the library\'s filters instead of ids (repeat): title=, cate=, tag=, status=, from=, to=, storage=, app=').argParser(collectRaw);
  program.command('edit')
    .description('Change title, description, category, tags or cover of videos in VOD (UpdateVideoInfos, 20 a call); one result line per video; exit 1 if any failed.')
    .argument('[videoIds...]', 'VideoIds (or use --match)')
    .addOption(matchOption())
    .option('--title <title>', 'new title of every video')
    .option('--title-template <template>', 'new title from each video\'s own: {title}, {videoId}; e.g. "{title} (fixed)"')
    .option('--description <text>', 'new description')
    .option('--cate <CateId>', 'new category', cateFlag)
    .option('--tags <a,b>', 'replace the tags')
    .option('--add-tag <tag>', 'add a tag to each video\'s own (repeat)', collect)
    .option('--cover-url <url>', 'new cover image URL')
    .option('--dry-run', 'print what would change; send nothing')
    .addOption(dbOption())
    .option('--json', 'one JSON line per video: {videoId, ok, code, message}')
    .action(async (ids: string[], flags) => setExit(await editCommand(ids, flags)));

  program.command('urls')
    .description('List the URLs of videos\' source files, streams, covers, snapshots and sprites with their expiry, as CSV (UTF-8 with BOM) or JSON; any number of videos (the console stops at 200). Exit 1 if a video could not be resolved (its row says why).')
    .argument('[videoIds...]', 'VideoIds')
    .requiredOption('--what <list>', 'what of each video: source, streams (all), streams:HD (one definition), streams:SD:mp4, cover, snapshots, sprites; comma-separated')
    .option('--from <file>', 'VideoIds from a file: a results export (`vodup export`), any CSV with a video_id column, a JSON array, or one id a line')
    .option('--from-queue', 'every VideoId of the queue (see --db)')
    .addOption(matchOption())
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'json']))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--json', 'without --out: one JSON object per URL on stdout; with --out: the file is JSON and stdout gets a JSON summary')
    .addOption(new Option('--output-type <type>', 'oss: storage URLs (default; no m3u8 streams); cdn: the VOD domain\'s CDN URLs').choices(['oss', 'cdn']))
    .option('--auth-timeout <seconds>', 'how long the URLs stay valid (OSS URLs at most 30 days; default 3600)', intIn(1, 2_592_000, ' s'))
    .option('--concurrency <n>', 'videos resolved at once', intIn(1, 64))
    .action(async (ids: string[], flags) => setExit(await urlsCommand(ids, flags)));

  program.command('delete')
    .description(`Delete videos from VOD (source, streams, snapshots), or only their source files; more than 5 need --yes or the count typed at a terminal; exit 1 if any failed.`)
    .argument('[videoIds...]', 'VideoIds (or use --match)')
    .addOption(matchOption())
    .option('--source-only', 'delete only the source file (DeleteMezzanines); the video and its streams stay')
    .option('--yes', 'do not ask for confirmation')
    .option('--dry-run', 'list what would be deleted; delete nothing')
    .addOption(dbOption())
    .option('--json', 'one JSON line per video: {videoId, ok, code, message}')
    .action(async (ids: string[], flags) => setExit(await deleteCommand(ids, flags)));

  const control = (name: ControlAction, what: string): Command => program.command(name)
    .description(`${what} jobs by id, or "all"`)
    .argument('<jobs...>', 'job ids (see `vodup status`) or "all"')
    .addOption(dbOption())
    .option('--json', 'one JSON line per job with its new state')
    .action(async (jobs: string[], flags) => setExit(await controlCommand(name, parseSelector(jobs), flags)));
  control('pause', 'Pause');
  control('resume', 'Resume (queue again)');
  networkOptions(control('retry', 'Retry failed, canceled or waiting jobs; for jobs awaiting review, check their VOD status again'))
    .option('--restart', 'a job whose file changed after its upload began uploads the file as it is now, from the start, under the same VideoId; a download whose file in VOD changed (RemoteChanged) downloads it again from the start');
  networkOptions(control('cancel', 'Cancel').option('--delete-video', 'also delete the VideoId from VOD (needs credentials)'));

  program.command('sandbox')
    .description('Run the local VOD + OSS sandbox; prints one JSON line {endpoint, region, accessKeyId, accessKeySecret, uploadOnly, admin}. With --data the keys survive a restart.')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', intIn(0, 65535))
    .option('--data <dir>', 'state and stored objects (default a new temporary folder)')
    .addOption(new Option('--store <kind>', 'keep the bytes (disk) or only their hashes (null)').choices(['disk', 'null']))
    .addOption(new Option('--etag <kind>', 'part ETags from MD5 as OSS (md5), or from the CRC-64 to spare the server\'s CPU in client benchmarks (crc64)').choices(['md5', 'crc64']))
    .option('--faults <spec>', 'e.g. errorRate=0.1,resetRate=0.05,requestTimeoutRate=0.1,outageSeconds=20,credentialTtlSeconds=5')
    .option('--review', 'review before publishing: complete videos stay Checking until POST /__admin/videos/<id>/status {"status":"Normal"}')
    .option('--search-lag-ms <ms>', 'SearchMedia finds a new video only this long after it was created', intIn(0, 86_400_000))
    .option('--oss-deny-list', 'upload credentials may not ListParts or HeadObject (AccessDenied), as VOD\'s policy may not allow them')
    .option('--print-env', 'print `export VOD_ENDPOINT=… VOD_ACCESS_KEY_ID=…` lines for the sandbox serving --data (started in the background if none does; log in <data>/sandbox.log) and exit: eval "$(vodup sandbox --data ~/.vodup-sandbox --print-env)"')
    .action(async (flags) => sandboxCommand(flags));

  program.command('serve')
    .description('Web mode: serve the app to a browser; prints one JSON line {"url"} with the access token.')
    .option('--port <n>', 'port (0 = any free port)', intIn(0, 65535), 0)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder (default $VODUP_HOME or ~/.vodup)')
    .option('--sandbox', 'also run the sandbox in-process and offer its "Sandbox" profile')
    .action(async (flags) => serveCommand(flags));

  return program;
}

/** stdout (and stderr) closed by their reader end the command quietly (session.ts). */
function endQuietlyOnBrokenPipe(): void {
  let ended = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (ended) return;
    ended = true;
    endOnBrokenPipe();
  });
  // Nothing can be said once stderr is gone; the command goes on to its own end.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

/** Resolves once what was written to a stream has been handed to the OS (pipes are asynchronous on macOS and Windows). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Entry point of bin/vodup.js. Exits the process when the command is done. */
export async function main(argv: string[]): Promise<void> {
  let exitCode: number = EXIT.ok;
  let stayAlive = false;
  let finished = false;
  endQuietlyOnBrokenPipe();
  // A command waits on its own handles (sockets, timers, keepingAlive). If Node still
  // finds nothing left to run before it is done, that is a bug: it must not pass for
  // success (Node would exit 0).
  process.once('beforeExit', () => {
    if (finished || stayAlive) return;
    process.stderr.write('vodup: stopped before the command was done (nothing was left to wait on). Run `vodup status` to see where the jobs are; `vodup run` continues them.\n');
    process.exit(EXIT.jobsFailed);
  });
  const program = buildProgram((code) => (exitCode = code));
  // --proxy / --oss-endpoint (main/cli/network.ts) take effect before the command's first request.
  program.hook('preAction', (_p, cmd) => applyNetworkFlags(cmd.opts()));
  // Servers (sandbox, serve) keep running after their action returns.
  program.hook('postAction', (_p, cmd) => {
    stayAlive = (cmd.name() === 'sandbox' && !cmd.opts().printEnv) || cmd.name() === 'serve';
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed its message.
      exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (err instanceof CliError) {
      process.stderr.write(`vodup: ${err.message}\n`);
      exitCode = err.exitCode;
    } else if (err instanceof EngineError) {
      // The engine refused to start (queue in use, database too new…): what and what to do.
      process.stderr.write(`vodup: ${err.message}\n${err.hint}\n`);
      exitCode = EXIT.usage;
    } else {
      throw err;
    }
  }
  finished = true;
  if (stayAlive) return;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(exitCode);
}
