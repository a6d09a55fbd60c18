// Runs one command against a throwaway control plane (see controlPlane.ts): starts etcd and kube-apiserver
// once, gives the command KUBECONFIG and IRONLB_TEST_KUBECONFIG (the same file), IRONLB_K8S_BIN_DIR and a
// PATH that finds the built kubectl, and always tears the control plane down afterwards.
//
// Usage:  node dist/specs/support/withControlPlane.js [--] <command> [args...]
// Exit status: the command's (128+n when it died of signal n), 1 when the control plane did not start,
// 2 on a usage error. Progress is logged to stderr as JSON lines.

import { spawn } from 'node:child_process';
import { startControlPlane } from './controlPlane.js';

const log = (event: string, fields: Record<string, unknown> = {}): void => {
  process.stderr.write(`${JSON.stringify({ op: 'withControlPlane', event, ...fields })}\n`);
};

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...args] = argv[0] === '--' ? argv.slice(1) : argv;
  if (cmd === undefined) {
    process.stderr.write('usage: withControlPlane [--] <command> [args...]\n');
    return 2;
  }

  log('starting');
  let cp;
  try {
    cp = await startControlPlane();
  } catch (e) {
    log('failed', { error: e instanceof Error ? e.message : String(e) });
    return 1;
  }
  log('ready', { server: cp.server, kubeconfig: cp.kubeconfigPath, startupMs: cp.startupMs });

  try {
    const child = spawn(cmd, args, {
      stdio: 'inherit',
      env: {
        ...process.env,
        KUBECONFIG: cp.kubeconfigPath,
        IRONLB_TEST_KUBECONFIG: cp.kubeconfigPath,
        IRONLB_K8S_BIN_DIR: cp.binDir,
        PATH: `${cp.binDir}:${process.env['PATH'] ?? ''}`,
      },
    });
    // Pass our signals on and let the command end itself; the finally below then tears down.
    const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, forward);
    return await new Promise<number>((resolve) => {
      child.once('error', (e) => {
        log('command-failed', { command: cmd, error: e.message });
        resolve(127);
      });
      child.once('exit', (code, signal) => resolve(signal === null ? (code ?? 1) : 128 + (SIGNAL_NUMBERS[signal] ?? 0)));
    });
  } finally {
    const t = Date.now();
    await cp.stop();
    log('stopped', { stopMs: Date.now() - t });
  }
}

process.exitCode = await main(process.argv.slice(2));
