/**
 * The Node options pool workers start with: the main script's own, less those
 * a worker refuses. V8 and process-wide options (--max-old-space-size,
 * --stack-trace-limit, --no-liftoff…) already apply to every thread, yet
 * `new Worker` throws on them; --eval/--print/--input-type describe only the
 * main script.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** What the main script ran with, less the options that only make sense for it. */
function mainOptions(): string[] {
  const kept: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (/^(-e|-p|--eval|--print)$/.test(arg)) i++;
    else if (!/^--(input-type|eval|print)=/.test(arg)) kept.push(arg);
  }
  return kept;
}

/** The options a worker refused, as its error lists them ("…invalid execArgv flags: --a, --b"). */
function refused(err: unknown): string[] | undefined {
  if ((err as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") return undefined;
  const message = String((err as Error).message);
  return message.slice(message.indexOf(": ") + 2).split(", ");
}

/** Learned on the first start, so later workers start in one attempt. */
let accepted: string[] | undefined;

/** Starts a worker with every option of the main script that a worker accepts. */
export function startWorker(url: URL, options: Omit<WorkerOptions, "execArgv">): Worker {
  const first = accepted ?? mainOptions();
  try {
    const worker = new Worker(url, { ...options, execArgv: first });
    accepted = first;
    return worker;
  } catch (err) {
    const names = refused(err);
    if (!names) throw err;
    const rest = first.filter((arg) => !names.includes(arg));
    // The error lists what it refused; if that was not enough, start with none (they apply process-wide anyway).
    try {
      const worker = new Worker(url, { ...options, execArgv: rest });
      accepted = rest;
      return worker;
    } catch (again) {
      if (!refused(again)) throw again;
      accepted = [];
      return new Worker(url, { ...options, execArgv: [] });
    }
  }
}
