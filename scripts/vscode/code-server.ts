// One code-server (a complete VS Code: server, web workbench, Node extension host) with all its
// state in a throwaway profile folder, listening on a free loopback port.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { WorkspaceTrust } from '../../test/vscode/suite/protocol';
import { CODE_SERVER_ENTRY, WORKSPACE_FIXTURE } from './paths';

export interface CodeServerOptions {
  /** An empty folder that receives the configuration, user data, extensions and workspace. */
  profileDir: string;
  workspaceTrust: WorkspaceTrust;
  colorTheme: string;
  /** Added to the server's environment, which its extension host inherits. */
  env: Record<string, string>;
  /** Receives everything the server prints. */
  logFile: string;
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  workspaceDir: string;
  /** Rejects when the server exits before `stop()`. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const dirs = createProfile(options);
  const args = [
    CODE_SERVER_ENTRY,
    '--config', dirs.config,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.workspaceTrust === 'trusted' ? ['--disable-workspace-trust'] : []),
  ];
  // code-server and its extension host run on this Node, the one setup.sh built their native modules for.
  const child = spawn(process.execPath, args, {
    env: serverEnv(dirs, options.env),
    // Its own process group, so stop() also ends the extension host and pty host it starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await stopProcessGroup(child.pid);
    log.end();
  };
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`code-server exited (${signal ?? `code ${code}`}); its log: ${options.logFile}`));
    });
  });
  // Only a session that races it cares; an exit nobody waits for is no unhandled rejection.
  exited.catch(() => {});

  try {
    return { origin: await listeningOrigin(child, options.logFile), workspaceDir: dirs.workspace, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Port 0 in the configuration: the system picks a free port and code-server prints it. */
function listeningOrigin(child: ChildProcessByStdio<null, Readable, Readable>, logFile: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let printed = '';
    const settle = (): void => {
      clearTimeout(timer);
      child.stdout.off('data', onOutput);
      child.off('exit', onExit);
    };
    const fail = (why: string): void => {
      settle();
      reject(new Error(`code-server ${why}; its log: ${logFile}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onExit = (): void => fail('exited before it listened');
    const onOutput = (chunk: Buffer): void => {
      printed += chunk.toString('utf8');
      const origin = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1];
      if (origin) {
        settle();
        resolve(origin);
      }
    };
    child.stdout.on('data', onOutput);
    child.once('exit', onExit);
  });
}

/** Where a profile folder keeps each part of code-server's state. */
export function profileFolders(profileDir: string) {
  const at = (name: string): string => path.join(profileDir, name);
  return {
    config: at('config.yaml'),
    userData: at('user-data'),
    extensions: at('extensions'),
    workspace: at('workspace'),
    xdg: at('xdg'),
    tmp: at('tmp'),
  };
}

export type ProfileFolders = ReturnType<typeof profileFolders>;

function createProfile(options: CodeServerOptions): ProfileFolders {
  const dirs = profileFolders(options.profileDir);
  writeFileSync(dirs.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.userData, 'User/settings.json'), JSON.stringify(userSettings(options), null, 2));
  mkdirSync(dirs.extensions);
  cpSync(WORKSPACE_FIXTURE, dirs.workspace, { recursive: true });
  for (const kind of ['config', 'data', 'cache']) mkdirSync(path.join(dirs.xdg, kind), { recursive: true });
  mkdirSync(dirs.tmp);
  return dirs;
}

function userSettings(options: CodeServerOptions): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.colorTheme': options.colorTheme,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    // With trust on, open the workspace in restricted mode without the modal that asks.
    'security.workspace.trust.startupPrompt': 'never',
  };
}

/** Keeps what code-server and its command line write for the user in the profile. */
export function xdgEnv(dirs: ProfileFolders): Record<string, string> {
  return {
    XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  };
}

function serverEnv(dirs: ProfileFolders, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A runner started from a VS Code terminal must not hand that VS Code's IPC hooks over.
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  }
  return {
    ...env,
    ...xdgEnv(dirs),
    // The extension host and the git extension leave IPC sockets in the temp dir: keep them in the profile.
    TMPDIR: dirs.tmp,
    // No extension gallery: the tests never reach for the network (offline machines would only log a failed lookup).
    EXTENSIONS_GALLERY: '{}',
    ...extra,
  };
}

async function stopProcessGroup(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signalGroup(pid, 0)) return;
  }
  signalGroup(pid, 'SIGKILL');
}

/** Signals every process of the group; false once none is left. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
