/**
 * The Node options pool workers start with: the main script's own, less those
 * a worker refuses. V8 and process-wide options (--max-old-space-size,
 * --stack-trace-limit, --no-liftoff…) already apply to every thread, yet
 * `new Worker` throws on them; --eval/--print/--input-type describe only the
 * main script.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";
import { barLoads, GATE_KEY, LOADING } from "../ffi/load-gate.js";

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

/** The load gates (ffi/load-gate.ts) of the workers alive, by worker: an exit holds them all, ending one holds its own. */
const gates = new Map<Worker, Int32Array>();
/**
 * As the process exits: bars every worker's load that has not begun, and waits for those under way, however long
 * they take (tens of ms; more when the thread is kept from running): one ended inside its load would abort the
 * process, and one that fails marks its gate as it ends (ffi/worker-load-gate.ts). A thread that never runs again
 * (stopped for good) would hold the exit without this wait too: Node joins its workers' threads as it exits.
 */
function holdExitForLoads(): void {
  for (const gate of gates.values()) while (barLoads(gate)) Atomics.wait(gate, 0, LOADING);
}

/**
 * Before `worker` is ended: bars its loads of native modules (koffi's, and any
 * its user code makes later) if none has begun (it then waits where the end
 * finds it), and says whether one is under way, which an end must wait out
 * (see ffi/load-gate.ts: it would abort the process).
 */
export function loadUnderWay(worker: Worker): boolean {
  const gate = gates.get(worker);
  return gate !== undefined && barLoads(gate);
}

/** Starts a worker with every option of the main script that a worker accepts, and a load gate. */
export function startWorker(url: URL, given: Omit<WorkerOptions, "execArgv">): Worker {
  const shared = new SharedArrayBuffer(4);
  const options = { ...given, workerData: { ...(given.workerData as object), [GATE_KEY]: shared } };
  const worker = started(url, options);
  const gate = new Int32Array(shared);
  if (gates.size === 0) process.once("exit", holdExitForLoads);
  gates.set(worker, gate);
  worker.once("exit", () => {
    gates.delete(worker);
    if (gates.size === 0) process.off("exit", holdExitForLoads);
  });
  return worker;
}

function started(url: URL, options: Omit<WorkerOptions, "execArgv">): Worker {
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
