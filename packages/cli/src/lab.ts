/** What the topology commands share: a lab named by its file or its name, the plan as text, a confirmation on a terminal. */
import { type Stats, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Topology, topology as TopologyApi } from "@neslink/core";
import { AbortedError, NotFoundError, ValidationError } from "@neslink/core/errors";
import type { Session, Terminal } from "./command.js";
import { topology } from "./core.js";
import { fifoBytes } from "./fifo.js";
import { shownName } from "./output.js";

export type Plan = Awaited<ReturnType<typeof TopologyApi.plan>>;

/**
 * FILE as given, resolved against the caller's directory (the agent's client's) and looked at once: what each step
 * after goes by. "-" is the caller's standard input.
 */
export interface FileArg {
  /** As typed: what its problems name. */
  given: string;
  path: string;
  kind: "stdin" | "file" | "fifo" | "other" | "none";
}

export function fileArg(given: string, { cwd }: Terminal): FileArg {
  const path = cwd === undefined ? given : resolve(cwd, given);
  if (given === "-") return { given, path, kind: "stdin" };
  let found: Stats | undefined;
  try {
    found = statSync(path, { throwIfNoEntry: false });
  } catch {
    // Not to be looked at (EACCES on a directory on the way): core's load, reading it, says why.
  }
  const kind = found === undefined ? "none" : found.isFile() ? "file" : found.isFIFO() ? "fifo" : "other";
  return { given, path, kind };
}

/**
 * FILE loaded and checked, read from the caller's directory (the agent's client's); its problems name it as given.
 * "-" is the caller's standard input (a generated lab piped in; through the agent, the client's).
 */
export async function loadFile(file: string | FileArg, terminal: Terminal): Promise<Topology> {
  const { given, path, kind } = typeof file === "string" ? fileArg(file, terminal) : file;
  const topo = await topology();
  if (kind === "stdin") return topo.load(topo.topologyText(await standardInput(terminal, topo.MAX_TOPOLOGY_BYTES), "-"), { label: "-" });
  // Through the agent, a path to a descriptor (`<(gen-lab)` is /dev/fd/63) would name one of the agent's own, and a pipe
  // of its own would be read: the client's standard input is what reaches the agent.
  if (terminal.cwd !== undefined && /^\/(dev\/(fd\/|std(in|out|err)$)|proc\/(self|thread-self)\/)/.test(path)) {
    throw new ValidationError(
      "FILE",
      `${given} is a descriptor of the calling process, which the agent cannot read: pipe the file into "-"`,
    );
  }
  // A pipe (`<(gen-lab)`) or FIFO is read here, waiting for its writer as cat would: core refuses one not written yet.
  if (kind === "fifo") {
    const bytes = await fifoBytes(path, given, topo.MAX_TOPOLOGY_BYTES, { signal: terminal.ended });
    if (bytes !== undefined) return topo.load(topo.topologyText(bytes, given), { label: given });
  }
  return topo.load(given, terminal.cwd === undefined ? {} : { cwd: terminal.cwd });
}

/** All of standard input; not from a terminal, where a person would have to know to type the file and ^D. */
async function standardInput({ stdin }: Terminal, maxBytes: number): Promise<Buffer> {
  if (stdin.isTTY)
    throw new ValidationError("FILE", '"-" reads the topology from standard input, which is a terminal: pipe a file into it');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ValidationError("FILE", `standard input is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * How a lab not read yet is named in what an interrupt says (`LAB was not destroyed`): a FIFO or standard input is
 * no lab's name ("/tmp/lab.fifo was not destroyed" named the pipe as if it were the lab), so the lab in it is said.
 */
export function unreadLab(arg: string, terminal: Terminal, quoted: (words: string[]) => string): string {
  const { kind } = fileArg(arg, terminal);
  if (kind === "stdin") return "the lab on standard input";
  return kind === "fifo" ? `the lab in ${quoted([arg])}` : quoted([arg]);
}

/**
 * FILE (an existing file or FIFO, loaded and checked) or NAME (a lab, found by the kernel's markers). A lab's name has
 * no '/' or '.': an argument with one is a file, so a mistyped path, a directory or a device gets the file's own
 * error ("no such file", "not a regular file"), not "not a lab's name". "-" is standard input. One that may be both,
 * a file or FIFO here and a lab's name, is refused (see eitherOf) unless the file is of that lab.
 */
export async function labOf(arg: string, terminal: Terminal): Promise<Topology | string> {
  const file = fileArg(arg, terminal);
  if (file.kind === "stdin" || /[/.]/.test(arg)) return loadFile(file, terminal);
  if (file.kind === "file" || file.kind === "fifo") return eitherOf(file, terminal);
  return arg;
}

/**
 * FILE or NAME, both there: a file in the caller's directory (or FIFO) named as a lab on the machine is. The file is
 * taken if it is of that lab (either reading gives the same lab); else the command is refused, before it reads or
 * changes any lab: `destroy demo` destroyed whatever lab a file named demo was of, and the lab demo was left running.
 */
async function eitherOf(file: FileArg, terminal: Terminal): Promise<Topology> {
  const topo = await topology();
  const name = file.given;
  // A Ctrl-C while a FIFO's writer is awaited ends the command as it is; a file that cannot be loaded is said below.
  let loaded: Topology | Error;
  try {
    loaded = await loadFile(file, terminal);
  } catch (err) {
    if (err instanceof AbortedError || !(err instanceof Error)) throw err;
    loaded = err;
  }
  if (!(loaded instanceof Error) && loaded.name === name) return loaded;
  if (!(await topo.labKnown(name))) {
    if (loaded instanceof Error) throw loaded;
    return loaded;
  }
  const what = file.kind === "fifo" ? "a FIFO" : "a file";
  const of =
    loaded instanceof Error ? `which could not be loaded as a lab (${loaded.message.replace(/\n\s*/g, " ")})` : `of lab ${loaded.name}`;
  throw new ValidationError(
    "FILE|NAME",
    `${name} is both ${what} in the current directory, ${of}, and the name of a lab on this machine: give ./${name} ` +
      `for the file, or run the command from another directory for the lab; nothing was changed`,
  );
}

export const labName = (lab: Topology | string) => (typeof lab === "string" ? lab : lab.name);

/**
 * topology.inspect, but a lab given by name of which no node runs is an error
 * (a mistyped name would otherwise show an empty table, or draw an empty
 * graph); a file's lab is shown as the file says, running or not.
 */
export async function inspected(lab: Topology | string): Promise<Awaited<ReturnType<typeof TopologyApi.inspect>>> {
  const topo = await topology();
  const found = await topo.inspect(lab);
  if (typeof lab !== "string" || found.nodes.length > 0) return found;
  const running = await topo.runningLabs();
  const known = running.length > 0 ? ` (running: ${running.join(", ")})` : "";
  throw new NotFoundError("namespace", `no lab named "${lab}" is running${known}`);
}

/** For stderr: each node of a lab given by file whose namespace something else has (inspect and graph show it missing). */
export function conflictNotes(inspections: readonly Awaited<ReturnType<typeof TopologyApi.inspect>>[]): string {
  return inspections
    .flatMap((i) => (i.conflicts ?? []).map((c) => `neslink: ${i.topology}: node ${c.node}: namespace ${c.netns} ${c.reason}\n`))
    .join("");
}

export async function planText(plan: Plan): Promise<string> {
  const { describeChange } = await topology();
  const { add, change, destroy } = plan.summary;
  // A change is one line: what the kernel reported in it (a name, a value) cannot break it.
  const lines = plan.changes.map((c) => `  ${shownName(describeChange(c))}\n`);
  const total = `Plan for ${plan.topology}: ${add} to add, ${change} to change, ${destroy} to destroy.\n`;
  return plan.changes.length === 0 ? `${plan.topology}: the kernel matches the file, nothing to do.\n` : `${lines.join("")}${total}`;
}

/**
 * Whether confirmed() asks: a person is there to answer (input from a terminal, or the prompt of `neslink shell`
 * at one, whose lines a person types), and --yes was not given.
 */
export const asks = ({ terminal }: Session, yes: boolean): boolean => !yes && (terminal.ask !== undefined || terminal.stdin.isTTY === true);

const isYes = (answer: string | undefined) => /^y(es)?$/i.test(answer?.trim() ?? "");

/**
 * Asks before changing anything, but only a person at a terminal: with --yes,
 * or input that is not a terminal (a script, a pipe), the answer is yes. With
 * --json at a terminal nothing can be asked (the question would be mixed into
 * the JSON), and a person there is not taken to have said yes: --yes it is.
 */
export async function confirmed(question: string, session: Session, yes: boolean): Promise<boolean> {
  const { stdin, stdout, ask } = session.terminal;
  if (!asks(session, yes)) return true;
  if (session.json)
    throw new ValidationError(
      "--yes",
      "is needed with --json when the input is a terminal: nothing is asked in JSON, and nothing was changed",
    );
  // At the shell's prompt the shell reads the terminal: the answer is the next line it reads.
  if (ask !== undefined) return isYes(await ask(`${question} [y/N] `));
  // Loaded here: readline costs a few ms of start-up that only a question needs.
  const { createInterface } = await import("node:readline/promises");
  // The terminal's own line mode (it echoes and edits): readline's would echo a second time when the agent relays the keys.
  const rl = createInterface({ input: stdin, output: stdout, terminal: false });
  try {
    // End of input (Ctrl-D) answers no: unanswered, the question's promise would never settle and the process end with 0.
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once("close", () => resolve(undefined));
      rl.question(`${question} [y/N] `).then(resolve, () => resolve(undefined));
    });
    if (answer === undefined) stdout.write("\n");
    return isYes(answer);
  } finally {
    rl.close();
  }
}
