/**
 * apply's progress events drawn for whoever reads them: on a terminal, one
 * live bar (cli-progress redraws it in place); elsewhere (a log, a pipe, CI),
 * one plain line per change, so nothing is lost to carriage returns.
 */
import type { topology } from "@neslink/core";
import { SingleBar } from "cli-progress";
import type { Terminal } from "./command.js";
import { shownName } from "./output.js";

type ApplyEvent = Parameters<NonNullable<NonNullable<Parameters<typeof topology.apply>[1]>["onProgress"]>>[0];

export interface Progress {
  onProgress(event: ApplyEvent): void;
  /** Ends the bar (leaving its last state on screen). */
  stop(): void;
}

/** How a change is named (core's describeChange: this module is loaded only once core is). */
type Describe = (change: topology.Change) => string;

/** The changes a failure refused, each with the place in the file that asked for it, as apply's error says them. */
function refusedText(event: ApplyEvent & { type: "failed" }, describe: Describe): string {
  return event.changes
    .map((c, i) => {
      const place = event.places[i];
      return place === undefined ? describe(c) : `${describe(c)} (${place})`;
    })
    .join("; ");
}

function bar(terminal: Terminal, describe: Describe): Progress {
  const shown = new SingleBar({
    stream: terminal.stdout,
    format: "{bar} {value}/{total} {phase} {text}",
    barsize: 30,
    // ASCII: drawn the same whatever the terminal's locale.
    barCompleteChar: "=",
    barIncompleteChar: "-",
    hideCursor: true,
    clearOnComplete: false,
    linewrap: false,
  });
  let started = false;
  return {
    onProgress(event) {
      if (event.type === "planned") {
        shown.start(event.plan.changes.length, 0, { phase: "", text: "" });
        started = true;
      } else if (event.type === "phase") shown.update({ phase: `${event.phase}:`, text: "" });
      // Drawn straight on the terminal, not through main's print: escaped here.
      else if (event.type === "change") shown.update(event.done, { text: shownName(event.text) });
      else if (event.type === "failed" && event.changes.length > 0)
        shown.update({ phase: "failed:", text: shownName(refusedText(event, describe)) });
      else if (event.type === "finished") shown.update({ phase: "done", text: "" });
    },
    stop() {
      if (started) shown.stop();
      started = false;
    },
  };
}

function lines(print: (text: string) => void, describe: Describe): Progress {
  return {
    onProgress(event) {
      if (event.type === "phase") print(`${event.phase}: ${event.changes} change${event.changes === 1 ? "" : "s"}\n`);
      else if (event.type === "change") print(`  [${event.done}/${event.total}] ${shownName(event.text)}\n`);
      else if (event.type === "failed") {
        // The changes refused, by name (the kernel's error names only its request), then those never tried after them.
        const said = (changes: readonly topology.Change[]) => changes.map((c) => shownName(describe(c))).join("; ");
        // A failure of no change (the exec record's write) is its error alone.
        const refused = event.changes.length > 0 ? `${shownName(refusedText(event, describe))}: ` : "";
        print(`  failed: ${refused}${event.error.message}\n`);
        if (event.notAttempted.length > 0) print(`  not attempted: ${said(event.notAttempted)}\n`);
      }
    },
    stop() {},
  };
}

export function progressFor(terminal: Terminal, print: (text: string) => void, describe: Describe): Progress {
  return terminal.stdout.isTTY ? bar(terminal, describe) : lines(print, describe);
}
