import { readFileSync, statSync } from "node:fs";
import { ValidationError, rootCause, toErrorJSON } from "@neslink/core/errors";
import { parseArgs } from "node:util";
import { createInterface } from "node:readline/promises";
import { constants } from "node:os";
import { finished } from "node:stream/promises";
// dist/args.js
/**
* argv to a command call. Command words come first ("link show NAME"); options
* may go anywhere before "--". Everything wrong here is a ValidationError, so
* it prints and exits like any other usage error.
*/
const OPTIONS = {
	json: { type: "boolean" },
	help: {
		type: "boolean",
		short: "h"
	},
	version: {
		type: "boolean",
		short: "V"
	},
	ns: {
		type: "string",
		short: "n"
	},
	"dry-run": { type: "boolean" },
	yes: {
		type: "boolean",
		short: "y"
	},
	"detailed-exitcode": { type: "boolean" },
	format: { type: "string" },
	inet: {
		type: "boolean",
		short: "4"
	},
	inet6: {
		type: "boolean",
		short: "6"
	},
	file: {
		type: "string",
		short: "f"
	}
};
const GLOBAL = /* @__PURE__ */ new Set([
	"json",
	"help",
	"version"
]);
/** Whether errors must be printed as JSON: known even when the rest of argv does not parse. */
function wantsJson(argv) {
	const end = argv.indexOf("--");
	return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}
function longestMatch(words, commands) {
	let best;
	for (const command of commands) {
		const name = command.name.split(" ");
		if (name.every((word, i) => words[i] === word) && name.length > (best?.name.split(" ").length ?? 0)) best = command;
	}
	return best;
}
function checkArgs(command, args) {
	const restMissing = command.rest?.required && args.length === command.args.length;
	const missing = command.args[args.length] ?? (restMissing ? command.rest?.name : void 0);
	if (missing) throw new ValidationError(missing, "is required");
	const extra = command.rest ? void 0 : args[command.args.length];
	if (extra !== void 0) throw new ValidationError("argv", `unexpected argument "${extra}" for "neslink ${command.name}"`);
}
function tokenize(argv) {
	try {
		return parseArgs({
			args: [...argv],
			options: OPTIONS,
			allowPositionals: true,
			strict: true,
			tokens: true
		});
	} catch (err) {
		throw new ValidationError("argv", err.message);
	}
}
function parse(argv, commands) {
	const { values, positionals, tokens } = tokenize(argv);
	if (values.version) return { kind: "version" };
	const command = longestMatch(positionals, commands);
	if (!command) {
		const topic = positionals.join(" ");
		if (!(topic === "" || commands.some((c) => c.name.startsWith(`${topic} `)))) throw new ValidationError("command", `unknown command "${topic}"`);
		if (values.help) return {
			kind: "help",
			topic
		};
		throw new ValidationError("command", topic === "" ? "is required" : `"${topic}" needs a subcommand`);
	}
	if (values.help) return {
		kind: "help",
		topic: command.name
	};
	for (const token of tokens) if (token.kind === "option" && !GLOBAL.has(token.name) && !command.options.includes(token.name)) throw new ValidationError(`--${token.name}`, `is not an option of "neslink ${command.name}"`);
	const args = positionals.slice(command.name.split(" ").length);
	checkArgs(command, args);
	const { ns, json: _json, help: _help, version: _version, ...options } = values;
	return {
		kind: "run",
		command,
		invocation: {
			args,
			ns,
			options
		}
	};
}
// dist/core.js
let workers = 1;
let module;
let pooled;
/** How many workers the pool gets when it starts (undefined: core's default, one per core). */
function setPoolSize(size) {
	workers = size;
}
/** Namespace providers and the reads that need no worker (links, addresses): the smallest part of core a command can load. */
function reader() {
	return import("@neslink/core/read");
}
/** Core without the topology engine, and without starting the pool (watch has a thread of its own). */
function providers() {
	module ??= import("@neslink/core/lean");
	return module;
}
/** Providers, actions, nsDo: everything but topologies. The first call starts the pool at the size set. */
function lean() {
	pooled ??= providers().then(async (core) => {
		if (workers !== void 0) await core.configure({ size: workers });
		return core;
	});
	return pooled;
}
/** Topologies (and all of lean). */
async function topology() {
	await lean();
	return (await import("@neslink/core")).topology;
}
/** Ends the pool if one started (by `lean()`, or by core itself, e.g. spawn where it needs a worker); the next `lean()` starts a new one. */
async function closePool() {
	const pending = pooled ?? module;
	pooled = void 0;
	if (pending) await (await pending).closeDefaultPool();
}
// dist/keywords.js
/**
* iproute2's grammar after the command words: keywords, most followed by a
* value (`mtu 1400 master br0 up`). Each command declares its keywords; an
* unknown, repeated or valueless one is a usage error naming it.
*/
function keywords(words, spec, where) {
	const found = {};
	for (let i = 0; i < words.length; i++) {
		const word = words[i];
		const shape = spec[word];
		if (shape === void 0) {
			const known = Object.keys(spec);
			const hint = known.length === 0 ? "it takes none" : `expected one of: ${known.join(", ")}`;
			throw new ValidationError(word, `is not a keyword of "neslink ${where}" (${hint})`);
		}
		if (found[word] !== void 0) throw new ValidationError(word, "is given twice");
		if (shape === "flag") {
			found[word] = true;
			continue;
		}
		const value = words[++i];
		if (value === void 0) throw new ValidationError(word, "needs a value");
		found[word] = value;
	}
	return found;
}
/** A keyword's value as a whole number, or undefined when absent. */
function integerOf(found, word) {
	const value = found[word];
	if (value === void 0) return void 0;
	if (typeof value !== "string" || !/^\d+$/.test(value)) throw new ValidationError(word, `must be a whole number, not "${String(value)}"`);
	return Number(value);
}
/** A keyword's value as a string, or undefined when absent. */
function stringOf(found, word) {
	const value = found[word];
	return typeof value === "string" ? value : void 0;
}
/** The object without its undefined properties: core's validation refuses a key given as undefined. */
function defined(o) {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== void 0));
}
// dist/output.js
/** Turning results and errors into text: JSON for programs, aligned tables for people. */
function toJson(value) {
	return `${JSON.stringify(value, null, 2)}\n`;
}
function cell(value) {
	if (value === null || value === void 0 || value === "") return "-";
	return typeof value === "object" ? JSON.stringify(value) : String(value);
}
/** Columns padded to their widest cell; lines carry no trailing blanks. */
function table(rows, header) {
	const lines = [...header ? [header] : [], ...rows.map((row) => row.map(cell))];
	const widths = [];
	for (const line of lines) for (const [i, text] of line.entries()) widths[i] = Math.max(widths[i] ?? 0, text.length);
	return lines.map((line) => `${line.map((text, i) => text.padEnd(widths[i] ?? 0)).join("  ").trimEnd()}\n`).join("");
}
/** One "key  value" line per property, keys aligned. */
function fields(record) {
	return table(Object.entries(record));
}
/** Exit statuses by what went wrong; anything not listed (the kernel refused, not found, ...) is 1. */
const EXIT_CODES = {
	ERR_INVALID_ARGUMENT: 2,
	ERR_TOPOLOGY_INVALID: 3
};
/** 2 for usage errors (bad flags, a value core's validation refuses), 3 for a topology file with mistakes, else 1. */
function exitCodeOf(err) {
	return EXIT_CODES[toErrorJSON(err).code] ?? 1;
}
/** `{ "error": ... }` with --json, else one line: the code of what went wrong (core puts it on top), then the message. */
function errorText(err, json) {
	const error = toErrorJSON(err);
	return json ? toJson({ error }) : `neslink: ${error.code}: ${error.message}\n`;
}
// dist/target.js
const PID = /^[1-9]\d*$/;
async function target(spec) {
	const { ns } = await reader();
	if (spec === void 0) return ns.now();
	if (spec.includes("/")) return ns.path(spec);
	if (PID.test(spec)) return ns.process(Number(spec));
	if (spec.includes(":")) {
		const { locateNode, parseNodeRef } = await topology();
		const ref = parseNodeRef(spec);
		if (ref) return ns.name(await locateNode(ref.topology, ref.node));
	}
	return ns.name(spec);
}
// dist/commands/addr.js
/** -4 / -6 as core's family argument. */
function familyOf(options) {
	if (options.inet && options.inet6) throw new ValidationError("-4", "and -6 cannot both be given");
	return options.inet ? 4 : options.inet6 ? 6 : "all";
}
function rowsOf$1(addresses, links) {
	const names = new Map(links.map((l) => [l.index, l.name]));
	return addresses.map((a) => {
		const address = a.local ?? a.address;
		return {
			dev: names.get(a.index) ?? `#${a.index}`,
			family: a.family === 10 ? 6 : 4,
			address,
			prefixLen: a.prefixLen,
			cidr: `${address}/${a.prefixLen}`,
			scope: a.scope
		};
	});
}
const addrList = {
	name: "addr list",
	summary: "list addresses (as `ip addr`), optionally of one link",
	synopsis: "addr list [dev NAME] [-4|-6] [-n NS]",
	args: [],
	rest: {
		name: "dev",
		required: false
	},
	options: [
		"ns",
		"inet",
		"inet6"
	],
	details: "--json: an array of { dev, family (4|6), address, prefixLen, cidr, scope }.",
	async run({ args, ns, options }) {
		const dev = stringOf(keywords(args, { dev: "value" }, "addr list"), "dev");
		const { readAddrs, readLinks } = await reader();
		const provider = await target(ns);
		const rows = rowsOf$1(await readAddrs(provider, familyOf(options)), await readLinks(provider)).filter((r) => dev === void 0 || r.dev === dev);
		return {
			data: rows,
			text: table(rows.map((r) => [
				r.dev,
				`inet${r.family === 6 ? "6" : ""}`,
				r.cidr
			]), [
				"DEV",
				"FAMILY",
				"ADDRESS"
			])
		};
	}
};
function addrChange(op) {
	return {
		name: `addr ${op}`,
		summary: op === "add" ? "add an address to a link (as `ip addr add CIDR dev NAME`)" : "remove an address from a link",
		synopsis: `addr ${op} CIDR dev NAME [-n NS]`,
		args: ["CIDR"],
		rest: {
			name: "dev",
			required: true
		},
		options: ["ns"],
		details: "--json: { dev, address } as given.",
		async run({ args: [cidr, ...rest], ns }) {
			const dev = stringOf(keywords(rest, { dev: "value" }, `addr ${op}`), "dev");
			if (dev === void 0) throw new ValidationError("dev", "is required: the link the address is on");
			const { la, linkDo, lp } = await lean();
			const action = op === "add" ? la.addAddr(cidr) : la.delAddr(cidr);
			await linkDo(await target(ns), lp.name(dev), action);
			return {
				data: {
					dev,
					address: cidr
				},
				text: `${op === "add" ? "added" : "deleted"} ${cidr} ${op === "add" ? "to" : "from"} ${dev}\n`
			};
		}
	};
}
const addrAdd = addrChange("add");
const addrDel = addrChange("del");
// dist/lab.js
/** What the topology commands share: a lab named by its file or its name, the plan as text, a confirmation on a terminal. */
function isFile(path) {
	try {
		return statSync(path).isFile();
	} catch {
		return false;
	}
}
/** FILE (an existing file, loaded and checked) or NAME (a running lab, by the kernel's markers). */
async function labOf(arg) {
	if (!isFile(arg)) return arg;
	return (await topology()).load(arg);
}
const labName = (lab) => typeof lab === "string" ? lab : lab.name;
async function planText(plan) {
	const { describeChange } = await topology();
	const { add, change, destroy } = plan.summary;
	const lines = plan.changes.map((c) => `  ${describeChange(c)}\n`);
	const total = `Plan for ${plan.topology}: ${add} to add, ${change} to change, ${destroy} to destroy.\n`;
	return plan.changes.length === 0 ? `${plan.topology}: the kernel matches the file, nothing to do.\n` : `${lines.join("")}${total}`;
}
/**
* Asks before changing anything, but only a person at a terminal: with --yes,
* --json, or input that is not a terminal (a script, a pipe), the answer is yes.
*/
async function confirmed(question, session, yes) {
	const { stdin, stdout } = session.terminal;
	if (yes || session.json || !stdin.isTTY) return true;
	const rl = createInterface({
		input: stdin,
		output: stdout
	});
	try {
		return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
	} finally {
		rl.close();
	}
}
// dist/commands/apply.js
const apply = {
	name: "apply",
	summary: "make the kernel match a topology file: shows the plan, then applies it",
	synopsis: "apply FILE [--dry-run] [--yes]",
	args: ["FILE"],
	options: ["dry-run", "yes"],
	parallel: true,
	details: [
		"Only the difference between the file and the kernel is changed; an unchanged file sends no write.",
		"On a terminal the plan is shown and you are asked to confirm (--yes skips it), then a live",
		"progress bar; off a terminal, no question and one line per change. --dry-run: the plan only.",
		"A file with mistakes exits 3 and names each as FILE:LINE:COLUMN: PATH: message.",
		"--json: the plan with --dry-run ({ topology, changes, summary }), else apply's result",
		"({ topology, changes, summary, exec, ms })."
	].join("\n"),
	async run({ args: [file], options }, session) {
		const topo = await topology();
		const lab = topo.load(file);
		const plan = await topo.plan(lab);
		const text = await planText(plan);
		if (options["dry-run"]) return {
			data: plan,
			text
		};
		if (plan.changes.length === 0) return {
			data: await topo.apply(lab),
			text
		};
		if (!session.json) session.print(text);
		if (!await confirmed(`Apply ${plan.changes.length} changes to ${lab.name}?`, session, options.yes === true)) return {
			data: {
				topology: lab.name,
				applied: false
			},
			text: "Not applied; nothing was changed.\n",
			exitCode: 1
		};
		const progress = session.json ? void 0 : (await import("./progress-CmWoLFYq.js")).progressFor(session.terminal, session.print);
		try {
			const result = await topo.apply(lab, { onProgress: (e) => progress?.onProgress(e) });
			const { add, change, destroy } = result.summary;
			return {
				data: result,
				text: `${result.exec.map((e) => `${e.node}$ ${e.argv.join(" ")} (exit ${e.status ?? e.signal})\n${e.stdout}${e.stderr}`).join("")}Applied ${lab.name}: ${add} added, ${change} changed, ${destroy} destroyed in ${Math.round(result.ms)} ms.\n`
			};
		} finally {
			progress?.stop();
		}
	}
};
// dist/help.js
const OPTION_HELP = {
	ns: ["-n, --ns NS", "work in namespace NS: a name (/run/netns/NS), a path, a pid, or a lab's node as LAB:NODE"],
	"dry-run": ["--dry-run", "show the plan, change nothing"],
	yes: ["-y, --yes", "do not ask for confirmation on a terminal"],
	"detailed-exitcode": ["--detailed-exitcode", "exit 4 when the kernel differs from the file, 0 when it matches"],
	format: ["--format FORMAT", "mermaid (default), dot or json"],
	inet: ["-4", "IPv4 only"],
	inet6: ["-6", "IPv6 only"],
	file: ["-f, --file FILE", "read commands from FILE instead of standard input"]
};
/** Each option's flags as typed, for completion. */
const OPTION_FLAGS = Object.fromEntries(Object.entries(OPTION_HELP).map(([name, [flags]]) => [name, flags.split(", ").map((f) => f.split(" ")[0])]));
const GLOBAL_HELP = [
	["--json", "print results, and errors, as JSON on stdout"],
	["-h, --help", "show this help"],
	["-V, --version", "print the version"]
];
const EXIT_STATUS = "Exit status: 0 ok, 1 runtime error (the kernel refused, not found, apply failed), 2 usage error,\n3 invalid topology file, 4 drift found by plan --detailed-exitcode.\n";
function indent(text) {
	return text.replace(/^(?=.)/gm, "  ");
}
function commandList(commands) {
	return indent(table(commands.map((c) => [c.synopsis, c.summary])));
}
function helpText(topic, commands) {
	const command = commands.find((c) => c.name === topic);
	if (command) {
		const options = [...command.options.map((o) => OPTION_HELP[o]), ...GLOBAL_HELP];
		return [
			`Usage: neslink ${command.synopsis} [--json]\n`,
			`${command.summary}\n`,
			...command.details ? [`${command.details.trimEnd()}\n`] : [],
			`Options:\n${indent(table(options))}`,
			EXIT_STATUS
		].join("\n");
	}
	const group = topic === "" ? commands : commands.filter((c) => c.name.startsWith(`${topic} `));
	return [
		`Usage: neslink ${topic === "" ? "<command>" : `${topic} <subcommand>`} [options]\n`,
		...topic === "" ? ["Linux network namespaces, links and labs, from a shell.\n"] : [],
		`Commands:\n${commandList(group)}`,
		`Options:\n${indent(table(GLOBAL_HELP))}`,
		`Run "neslink <command> --help" for a command's own options.\n${EXIT_STATUS}`
	].join("\n");
}
// dist/commands/completion.js
/** Each command-word prefix a user may have typed, and the words that can follow it. */
function groups(commands) {
	const next = /* @__PURE__ */ new Map();
	for (const { name } of commands) {
		const words = name.split(" ");
		for (let i = 0; i < words.length; i++) {
			const prefix = words.slice(0, i).join(" ");
			if (!next.has(prefix)) next.set(prefix, /* @__PURE__ */ new Set());
			next.get(prefix)?.add(words[i]);
		}
	}
	return next;
}
const flagsOf = (options) => [
	...options.flatMap((o) => OPTION_FLAGS[o]),
	"--json",
	"--help"
].join(" ");
/** A bash completion function: command words by position, each command's options, namespaces after -n, files for FILE arguments. */
function bashScript(commands) {
	const cases = [];
	for (const [prefix, words] of groups(commands)) if (!commands.some((c) => c.name === prefix)) cases.push(`    "${prefix}") COMPREPLY=($(compgen -W "${[...words].join(" ")}" -- "$cur"));;`);
	for (const c of commands) {
		const files = c.args.some((a) => a.startsWith("FILE")) ? " -f" : "";
		cases.push(`    "${c.name}"|"${c.name} "*) COMPREPLY=($(compgen -W "${flagsOf(c.options)}"${files} -- "$cur"));;`);
	}
	return `# neslink completion for bash: eval "$(neslink completion bash)"
_neslink() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path="" w i
  case $prev in
    -n|--ns) COMPREPLY=($(compgen -W "$(ls /run/netns 2>/dev/null)" -- "$cur")); return;;
    --format) COMPREPLY=($(compgen -W "mermaid dot json" -- "$cur")); return;;
    -f|--file) COMPREPLY=($(compgen -f -- "$cur")); return;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ $w == -* ]] || path+="\${path:+ }$w"
  done
  case $path in
${cases.join("\n")}
  esac
}
complete -F _neslink neslink
`;
}
function completion(commands) {
	return {
		name: "completion",
		summary: "print a shell completion script for bash or zsh",
		synopsis: "completion bash|zsh",
		args: ["SHELL"],
		options: [],
		details: ["bash: eval \"$(neslink completion bash)\" (or save it in /etc/bash_completion.d/neslink).", "zsh: eval \"$(neslink completion zsh)\" in ~/.zshrc."].join("\n"),
		async run({ args: [shell] }) {
			if (shell !== "bash" && shell !== "zsh") throw new ValidationError("SHELL", `must be bash or zsh, not "${shell}"`);
			const bash = bashScript(commands());
			const text = shell === "bash" ? bash : `autoload -U +X bashcompinit && bashcompinit\n${bash}`;
			return {
				data: {
					shell,
					script: text
				},
				text
			};
		}
	};
}
// dist/commands/destroy.js
const destroy = {
	name: "destroy",
	summary: "remove everything a lab owns: its processes, links and namespaces",
	synopsis: "destroy FILE|NAME [--yes]",
	args: ["FILE|NAME"],
	options: ["yes"],
	parallel: true,
	details: [
		"What the lab owns is found in the kernel (each node's marker), so a lab can be destroyed by name",
		"without its file. Nothing another lab or tool made is touched. On a terminal you are asked to",
		"confirm (--yes skips it). --json: { topology, removed: [{ node, netns }], ms }."
	].join("\n"),
	async run({ args: [arg], options }, session) {
		const lab = await labOf(arg);
		const name = labName(lab);
		if (!await confirmed(`Destroy lab ${name} and everything it owns?`, session, options.yes === true)) return {
			data: {
				topology: name,
				destroyed: false
			},
			text: "Not destroyed; nothing was changed.\n",
			exitCode: 1
		};
		const result = await (await topology()).destroy(lab);
		return {
			data: result,
			text: `${result.removed.map((r) => `  - ${r.node} (namespace ${r.netns})\n`).join("")}Destroyed ${name}: ${result.removed.length} nodes removed in ${Math.round(result.ms)} ms.\n`
		};
	}
};
// dist/commands/exec.js
/** Signals the CLI passes on to the program rather than dying of them, so that Ctrl-C or a kill ends the program too. */
const FORWARDED = [
	"SIGINT",
	"SIGTERM",
	"SIGHUP"
];
/** The status a shell reports: the program's own, or 128 + the number of the signal that ended it. */
function shellStatus({ status, signal }) {
	return signal === null ? status ?? 1 : 128 + constants.signals[signal];
}
/** A program that cannot be run ends as in a shell: 127 when not found, 126 when not runnable. */
function notRunnable(argv0, err) {
	const { code } = toErrorJSON(rootCause(err));
	const exitCode = code === "ENOENT" ? 127 : code === "EACCES" ? 126 : void 0;
	if (exitCode === void 0) return void 0;
	const reason = exitCode === 127 ? "command not found" : "permission denied";
	return {
		data: { error: toErrorJSON(err) },
		text: "",
		stderr: `neslink: ${argv0}: ${reason}\n`,
		exitCode
	};
}
/**
* Pipes the program's output to the CLI's. If the CLI's own output breaks
* (its reader left, EPIPE), the program gets SIGPIPE, as it would writing to
* that pipe itself; what it still writes is drained so that it can end.
*/
function forward(from, to, kill) {
	const broken = () => {
		from.unpipe(to);
		from.resume();
		kill("SIGPIPE");
	};
	to.on("error", broken);
	from.pipe(to, { end: false });
	return () => to.off("error", broken);
}
/** The program's stdio joined to the CLI's as it runs; forwarded signals reach it. */
async function attached(provider, argv, terminal) {
	const { spawn } = await providers();
	const proc = await spawn(provider, argv);
	const kill = (signal) => proc.kill(signal);
	const unforward = [forward(proc.stdout, terminal.stdout, kill), forward(proc.stderr, terminal.stderr, kill)];
	terminal.stdin.pipe(proc.stdin);
	const stopForwarding = terminal.onSignals(FORWARDED, kill);
	try {
		const exit = await proc.exited;
		await Promise.all([finished(proc.stdout), finished(proc.stderr)]);
		return {
			data: exit,
			text: "",
			exitCode: shellStatus(exit)
		};
	} finally {
		for (const stop of unforward) stop();
		stopForwarding();
		terminal.stdin.unpipe(proc.stdin);
		terminal.stdin.destroy();
	}
}
/** --json: the program runs to its end and its output comes as one object. */
async function collected(provider, argv) {
	const { na, nsDo } = await lean();
	const { results: [result] } = await nsDo(provider, na.exec(argv));
	return {
		data: result,
		text: "",
		exitCode: shellStatus(result)
	};
}
const exec = {
	name: "exec",
	summary: "run a program inside a namespace (no shell), as `ip netns exec` does",
	synopsis: "exec NS -- CMD [ARG...]",
	args: [],
	rest: {
		name: "CMD",
		required: true
	},
	options: ["ns"],
	details: [
		"NS: a namespace name, path, pid or a lab's node as LAB:NODE (or give it with -n).",
		"Put \"--\" before CMD so that its own options are not read as neslink's.",
		"The program's output comes as it is written and neslink's standard input is",
		"passed to it. SIGINT, SIGTERM and SIGHUP sent to neslink are passed on. neslink",
		"exits with the program's status (128 + the signal's number if a signal ended",
		"it; 127 if CMD is not found, 126 if it cannot be run). There is no time limit.",
		"--json: the output is collected (up to 16 MiB) and printed when the program",
		"ends, as one object with pid, status, signal, stdout and stderr; no input."
	].join("\n"),
	async run({ args, ns }, { json, terminal }) {
		const [spec, ...argv] = ns === void 0 ? args : [ns, ...args];
		if (argv.length === 0) throw new ValidationError("CMD", "is required (neslink exec NS -- CMD)");
		const provider = await target(spec);
		try {
			return await (json ? collected(provider, argv) : attached(provider, argv, terminal));
		} catch (err) {
			const outcome = notRunnable(argv[0], err);
			if (outcome) return outcome;
			throw err;
		}
	}
};
/** iproute2's spelling: `ip netns exec NAME CMD`. */
const nsExec = {
	...exec,
	name: "ns exec",
	synopsis: "ns exec NS -- CMD [ARG...]",
	summary: "the same as `exec`"
};
// dist/commands/graph.js
const FORMATS = [
	"mermaid",
	"dot",
	"json"
];
const graph = {
	name: "graph",
	summary: "draw a lab as Mermaid, Graphviz DOT or JSON, from the kernel where it runs",
	synopsis: "graph FILE|NAME [--format mermaid|dot|json]",
	args: ["FILE|NAME"],
	options: ["format"],
	parallel: true,
	details: [
		"Where the lab runs, the graph is read from the kernel (veth pairs found by their peers, links down",
		"dashed); a FILE whose lab is not running is drawn as the file says. Default format: mermaid.",
		"--format json (or --json): { topology, nodes: [{ name, netns, state, interfaces }], edges: [{ a, b, up }] }."
	].join("\n"),
	async run({ args: [arg], options }) {
		const format = options.format ?? "mermaid";
		if (!FORMATS.includes(format)) throw new ValidationError("--format", `must be one of ${FORMATS.join(", ")}`);
		const topo = await topology();
		const lab = await labOf(arg);
		const live = await topo.inspect(lab);
		const drawn = live.nodes.some((n) => n.state === "running") || typeof lab === "string" ? topo.graphOfInspection(live) : topo.graphOfTopology(lab);
		return {
			data: drawn,
			text: format === "dot" ? topo.toDot(drawn) : format === "json" ? toJson(drawn) : topo.toMermaid(drawn)
		};
	}
};
// dist/commands/inspect.js
/** One row per interface (a node with none still gets its own row). */
function inspectionTable(inspections) {
	return table(inspections.flatMap((lab) => lab.nodes.flatMap((n) => {
		const ifaces = n.interfaces.filter((i) => i.name !== "lo");
		const head = [
			lab.topology,
			n.name,
			n.netns,
			n.state
		];
		if (ifaces.length === 0) return [[...head]];
		return ifaces.map((i) => [
			...head,
			i.name,
			i.kind,
			i.up ? i.operstate : "down",
			i.addresses.join(",")
		]);
	})), [
		"LAB",
		"NODE",
		"NETNS",
		"STATE",
		"INTERFACE",
		"KIND",
		"OPER",
		"ADDRESSES"
	]);
}
const inspect = {
	name: "inspect",
	summary: "the live state of a lab (or of every running lab): nodes, interfaces, addresses, state",
	synopsis: "inspect [FILE|NAME]",
	args: [],
	rest: {
		name: "FILE|NAME",
		required: false
	},
	options: [],
	parallel: true,
	details: [
		"Given FILE, also the drift: what apply would change. Read from the kernel's markers, no state file.",
		"--json: an array of { topology, nodes: [{ name, netns, state, interfaces: [{ index, name, kind, up,",
		"operstate, mtu, mac, master, addresses, peerIndex }], routes, processes }], drift? }, one per lab."
	].join("\n"),
	async run({ args }) {
		const topo = await topology();
		const labs = args.length > 0 ? await Promise.all(args.map(labOf)) : await topo.runningLabs();
		const found = await Promise.all(labs.map((lab) => topo.inspect(lab)));
		const drift = found.flatMap((i) => i.drift && i.drift.length > 0 ? [`${i.topology}: ${i.drift.length} changes to apply\n`] : []);
		return {
			data: found,
			text: found.length === 0 ? "no lab is running\n" : `${inspectionTable(found)}${drift.join("")}`
		};
	}
};
// dist/commands/link-add.js
/** Keywords every kind takes, as `ip link add` does. */
const COMMON = {
	mtu: "value",
	address: "value",
	master: "value",
	group: "value",
	up: "flag"
};
/** Each kind core creates, its own keywords, and how they become a link provider. */
const KINDS = {
	bridge: {
		keywords: {},
		provider: async (name, _k, o) => (await lean()).lp.bridge(name, o)
	},
	dummy: {
		keywords: {},
		provider: async (name, _k, o) => (await lean()).lp.dummy(name, o)
	},
	ifb: {
		keywords: {},
		provider: async (name, _k, o) => (await lean()).lp.ifb(name, o)
	},
	wireguard: {
		keywords: {},
		provider: async (name, _k, o) => (await lean()).lp.wireguard(name, o)
	},
	veth: {
		keywords: {
			peer: "value",
			netns: "value"
		},
		async provider(name, k, o) {
			const peer = stringOf(k, "peer");
			if (peer === void 0) throw new ValidationError("peer", "is required: the name of the veth's other end");
			const netns = stringOf(k, "netns");
			return (await lean()).lp.veth(name, {
				name: peer,
				...netns !== void 0 && { ns: await target(netns) }
			}, o);
		}
	},
	vxlan: {
		keywords: {
			id: "value",
			remote: "value",
			local: "value",
			group: "value",
			dstport: "value",
			dev: "value"
		},
		async provider(name, k, o) {
			const { lp } = await lean();
			const id = integerOf(k, "id");
			if (id === void 0) throw new ValidationError("id", "is required: the VXLAN network identifier");
			const dev = stringOf(k, "dev");
			return lp.vxlan(name, defined({
				...o,
				id,
				remote: stringOf(k, "remote"),
				local: stringOf(k, "local"),
				multicastGroup: stringOf(k, "group"),
				port: integerOf(k, "dstport"),
				...dev !== void 0 && { parent: lp.name(dev) }
			}));
		}
	},
	macvlan: {
		keywords: {
			link: "value",
			mode: "value"
		},
		async provider(name, k, o) {
			const { lp } = await lean();
			const parent = stringOf(k, "link");
			if (parent === void 0) throw new ValidationError("link", "is required: the link the macvlan sits on");
			return lp.macvlan(name, lp.name(parent), stringOf(k, "mode"), o);
		}
	},
	gretap: {
		keywords: {
			local: "value",
			remote: "value"
		},
		provider: async (name, k, o) => (await lean()).lp.gretap(name, defined({
			local: stringOf(k, "local"),
			remote: stringOf(k, "remote")
		}), o)
	}
};
const linkAdd = {
	name: "link add",
	summary: "create a link of any kind core makes (as `ip link add NAME type KIND ...`)",
	synopsis: "link add KIND NAME [KEYWORD VALUE]... [-n NS]",
	args: ["KIND", "NAME"],
	rest: {
		name: "KEYWORD",
		required: false
	},
	options: ["ns"],
	details: [
		`KIND: ${Object.keys(KINDS).join(", ")}. Every kind takes: mtu N, address MAC, master BRIDGE, group N, up.`,
		"  veth     peer NAME [netns NS]   the other end, created directly in NS (name, path, pid or LAB:NODE)",
		"  vxlan    id VNI [remote IP] [local IP] [group IP] [dstport PORT] [dev LINK]",
		"  macvlan  link PARENT [mode private|vepa|bridge|passthru|source]",
		"  gretap   [local IP] [remote IP]",
		"A kind the kernel lacks fails with ERR_KIND_UNSUPPORTED. --json: the new link (core's Link object)."
	].join("\n"),
	async run({ args: [kind, name, ...rest], ns }) {
		const shape = KINDS[kind];
		if (!shape) throw new ValidationError("KIND", `"${kind}" is not a kind neslink creates (${Object.keys(KINDS).join(", ")})`);
		const k = keywords(rest, {
			...COMMON,
			...shape.keywords
		}, `link add ${kind}`);
		const { linkDo, lp } = await lean();
		const master = stringOf(k, "master");
		const options = defined({
			mtu: integerOf(k, "mtu"),
			mac: stringOf(k, "address"),
			group: integerOf(k, "group"),
			up: k.up === true,
			...master !== void 0 && { master: lp.name(master) }
		});
		const provider = await shape.provider(name, k, options);
		const { link } = await linkDo(await target(ns), provider);
		return {
			data: link,
			text: fields(link)
		};
	}
};
// dist/commands/link-del.js
const linkDel = {
	name: "link del",
	summary: "delete a link (as `ip link del`; a veth takes its peer with it)",
	synopsis: "link del NAME [-n NS]",
	args: ["NAME"],
	options: ["ns"],
	details: "--json: the link as it was just before (core's Link object).",
	async run({ args: [name], ns }) {
		const { la, linkDo, lp } = await lean();
		const { link } = await linkDo(await target(ns), lp.name(name), la.delete());
		return {
			data: link,
			text: `deleted link ${link.name}\n`
		};
	}
};
// dist/commands/link-list.js
function linkTable(links) {
	return table(links.map((l) => [
		l.index,
		l.name,
		l.kind,
		l.up ? "UP" : "DOWN",
		l.operstate,
		l.mtu,
		l.mac
	]), [
		"INDEX",
		"NAME",
		"KIND",
		"ADMIN",
		"OPER",
		"MTU",
		"MAC"
	]);
}
const linkList = {
	name: "link list",
	summary: "list the links of a namespace (as `ip link`)",
	synopsis: "link list [-n NS]",
	args: [],
	options: ["ns"],
	details: "--json: an array of core's Link objects (index, name, kind, up, operstate, mtu, mac, masterIndex, alias, group, ...).",
	async run({ ns }) {
		const { readLinks } = await reader();
		const found = await readLinks(await target(ns));
		return {
			data: found,
			text: linkTable(found)
		};
	}
};
/** The name the CLI had before `link list`, kept so scripts keep working. */
const links = {
	...linkList,
	name: "links",
	synopsis: "links [-n NS]",
	summary: "the same as `link list`"
};
// dist/commands/link-set.js
const KEYWORDS = {
	up: "flag",
	down: "flag",
	mtu: "value",
	address: "value",
	name: "value",
	alias: "value",
	master: "value",
	nomaster: "flag",
	promisc: "value",
	group: "value",
	netns: "value"
};
function onOff(value) {
	if (value === void 0) return void 0;
	if (value !== "on" && value !== "off") throw new ValidationError("promisc", `must be on or off, not "${value}"`);
	return value === "on";
}
const linkSet = {
	name: "link set",
	summary: "change a link: state, MTU, MAC, name, alias, master, namespace (as `ip link set`)",
	synopsis: "link set NAME KEYWORD [VALUE]... [-n NS]",
	args: ["NAME"],
	rest: {
		name: "KEYWORD",
		required: true
	},
	options: ["ns"],
	details: [
		"KEYWORD: up, down, mtu N, address MAC, name NEW, alias TEXT, master BRIDGE, nomaster,",
		"promisc on|off, group N, netns NS (moves the link; it loses its addresses, as in the kernel).",
		"The changes go to the kernel in one request. --json: the link afterwards (in its new namespace if moved)."
	].join("\n"),
	async run({ args: [name, ...rest], ns }) {
		const k = keywords(rest, KEYWORDS, "link set");
		if (k.up && k.down) throw new ValidationError("up", "and down cannot both be given");
		if (k.master !== void 0 && k.nomaster) throw new ValidationError("master", "and nomaster cannot both be given");
		const { la, linkDo, lp, na, nsDo } = await lean();
		const master = stringOf(k, "master");
		const set = defined({
			...(k.up || k.down) && { up: k.up === true },
			mtu: integerOf(k, "mtu"),
			mac: stringOf(k, "address"),
			name: stringOf(k, "name"),
			alias: stringOf(k, "alias"),
			promisc: onOff(stringOf(k, "promisc")),
			group: integerOf(k, "group"),
			...master !== void 0 && { master: lp.name(master) },
			...k.nomaster && { master: null }
		});
		const where = await target(ns);
		const netns = stringOf(k, "netns");
		let current = name;
		if (Object.keys(set).length > 0) current = (await linkDo(where, lp.name(current), la.set(set))).link.name;
		if (netns === void 0) {
			const { results: [link] } = await nsDo(where, na.getLink(lp.name(current)));
			return {
				data: link,
				text: fields(link)
			};
		}
		const to = await target(netns);
		await nsDo(where, na.setLinkNs(lp.name(current), to));
		const { results: [moved] } = await nsDo(to, na.getLink(lp.name(current)));
		return {
			data: moved,
			text: fields(moved)
		};
	}
};
// dist/commands/link-show.js
const linkShow = {
	name: "link show",
	summary: "show one link, by name",
	synopsis: "link show NAME [-n NS]",
	args: ["NAME"],
	options: ["ns"],
	details: "--json: core's Link object.",
	async run({ args: [name], ns }) {
		const { lp, na, nsDo } = await lean();
		const { results: [link] } = await nsDo(await target(ns), na.getLink(lp.name(name)));
		return {
			data: link,
			text: fields(link)
		};
	}
};
// dist/commands/monitor.js
/** The groups by the names `ip monitor` takes, and neslink's own. */
const GROUPS = {
	link: "link",
	address: "address",
	addr: "address",
	route: "route",
	neighbour: "neighbour",
	neigh: "neighbour",
	nsid: "nsid"
};
/** One line a person reads: where, what, and what changed. */
function eventLine(e) {
	const where = e.ns === "" ? "." : e.ns;
	switch (e.type) {
		case "link": {
			const l = e.link;
			const state = `${l.up ? "UP" : "DOWN"} ${l.operstate ?? "-"}`;
			const changed = e.action === "changed" ? ` (${e.changed.map((f) => `${f} ${String(e.previous[f])} -> ${String(l[f])}`).join(", ")})` : "";
			return `[${where}] link ${e.action} ${l.name} ${state}${changed}`;
		}
		case "address": return `[${where}] address ${e.action} ${e.address.local ?? e.address.address}/${e.address.prefixLen} on #${e.address.index}`;
		case "route": {
			const r = e.route;
			const via = r.gateway === null ? "" : ` via ${r.gateway}`;
			return `[${where}] route ${e.action} ${r.dst === null ? "default" : `${r.dst}/${r.dstLen}`}${via} table ${r.table}`;
		}
		case "neighbour": return `[${where}] neighbour ${e.action} ${JSON.stringify(e.neighbour)}`;
		case "nsid": return `[${where}] nsid ${e.action} ${e.nsid}`;
		default: return `[${where}] ${e.type}${"reason" in e ? ` (${e.reason})` : ""}`;
	}
}
const monitor = {
	name: "monitor",
	summary: "print the kernel's events as they come: links, addresses, routes, neighbours (as `ip monitor`)",
	synopsis: "monitor [link|address|route|neighbour|nsid]... [all] [-n NS]",
	args: [],
	rest: {
		name: "GROUP",
		required: false
	},
	options: ["ns"],
	details: [
		"Without a group, every group. -n NS: that namespace (name, path, pid or LAB:NODE); `all`: every",
		"named namespace, ones created later included; neither: the namespace neslink runs in.",
		"Runs until interrupted (Ctrl-C, SIGTERM), then exits 0. Events lost to a burst are made up for",
		"(a `resync` line, then the differences, then `synced`).",
		"--json: one JSON object a line, as core's watch() gives them: { type: link|address|route|neighbour|nsid|",
		"resync|synced|gone, action?: new|changed|deleted, ns, link|address|route|neighbour|nsid, previous?, changed? }."
	].join("\n"),
	async run({ args, ns }, session) {
		const all = args.includes("all");
		if (all && ns !== void 0) throw new ValidationError("all", "and -n cannot both be given");
		const groups = [...new Set(args.filter((a) => a !== "all").map((a) => {
			const group = GROUPS[a];
			if (!group) throw new ValidationError(a, `is not a group of "neslink monitor" (${Object.keys(GROUPS).join(", ")}, all)`);
			return group;
		}))];
		const { watch } = await providers();
		const stream = watch(all ? { named: true } : await target(ns), groups.length > 0 ? { groups } : {});
		const stop = session.terminal.onSignals([
			"SIGINT",
			"SIGTERM",
			"SIGHUP"
		], () => void stream.close());
		try {
			for await (const event of stream) session.print(session.json ? `${JSON.stringify(event)}\n` : `${eventLine(event)}\n`);
		} finally {
			stop();
			await stream.close();
		}
		return {
			data: void 0,
			text: ""
		};
	}
};
// dist/commands/ns-add.js
const nsAdd = {
	name: "ns add",
	summary: "create a named namespace (as `ip netns add NAME`)",
	synopsis: "ns add NAME",
	args: ["NAME"],
	options: [],
	async run({ args: [name] }) {
		const { na, ns, nsDo } = await lean();
		const { results: [created] } = await nsDo(ns.now(), na.createNamed(name));
		return {
			data: created,
			text: `created namespace ${created.name} at ${created.path}\n`
		};
	}
};
// dist/commands/ns-del.js
const nsDel = {
	name: "ns del",
	summary: "delete a named namespace (as `ip netns del NAME`)",
	synopsis: "ns del NAME",
	args: ["NAME"],
	options: [],
	details: "The kernel frees the namespace once nothing else (a process, an open handle) holds it.",
	async run({ args: [name] }) {
		const { na, ns, nsDo } = await lean();
		const { results: [deleted] } = await nsDo(ns.now(), na.deleteNamed(name));
		return {
			data: deleted,
			text: `deleted namespace ${deleted.name}\n`
		};
	}
};
// dist/commands/ns-list.js
const nsList = {
	name: "ns list",
	summary: "list named namespaces (as `ip netns list`, without stale entries)",
	synopsis: "ns list",
	args: [],
	options: [],
	details: "Only entries that are network namespaces: a stale entry (see `ns prune`), a symlink or any other file is left out.",
	async run() {
		const { listNamed } = await import("@neslink/core/named");
		const names = listNamed();
		return {
			data: names,
			text: names.map((n) => `${n}\n`).join("")
		};
	}
};
// dist/commands/ns-prune.js
const nsPrune = {
	name: "ns prune",
	summary: "remove stale entries (no namespace mounted) from /run/netns",
	synopsis: "ns prune",
	args: [],
	options: [],
	details: "Only empty files with no namespace mounted are removed. Symlinks, FIFOs, directories and other files are never followed nor removed: they are listed as skipped, with why.",
	async run() {
		const { pruneNamed } = await import("@neslink/core/named");
		const result = pruneNamed();
		return {
			data: result,
			text: [...result.removed.map((name) => `removed ${name}\n`), ...result.skipped.map(({ name, reason }) => `skipped ${name}: ${reason}\n`)].join("") || "nothing to prune\n"
		};
	}
};
const plan = {
	name: "plan",
	summary: "show what apply would change, without changing anything",
	synopsis: "plan FILE [--detailed-exitcode]",
	args: ["FILE"],
	options: ["detailed-exitcode"],
	parallel: true,
	details: [
		`--detailed-exitcode: exit 0 if the kernel matches the file, 4 if it has drifted (changes to make),`,
		"as Terraform's plan does (which uses 2; here 2 stays a usage error). Errors exit as usual.",
		"--json: { topology, changes, summary: { add, change, destroy } }."
	].join("\n"),
	async run({ args: [file], options }) {
		const topo = await topology();
		const found = await topo.plan(topo.load(file));
		const drift = options["detailed-exitcode"] === true && found.changes.length > 0;
		return {
			data: found,
			text: await planText(found),
			...drift && { exitCode: 4 }
		};
	}
};
// dist/commands/route.js
function rowsOf(routes, links) {
	const names = new Map(links.map((l) => [l.index, l.name]));
	return routes.map((r) => ({
		to: r.dst === null ? "default" : `${r.dst}/${r.dstLen}`,
		family: r.family === 10 ? 6 : 4,
		via: r.gateway,
		dev: r.oifIndex === null ? null : names.get(r.oifIndex) ?? `#${r.oifIndex}`,
		metric: r.metric,
		table: r.table,
		protocol: r.protocol
	}));
}
const routeList = {
	name: "route list",
	summary: "list routes of every table (as `ip route show table all`)",
	synopsis: "route list [-4|-6] [-n NS]",
	args: [],
	options: [
		"ns",
		"inet",
		"inet6"
	],
	details: "--json: an array of { to, family (4|6), via, dev, metric, table, protocol }.",
	async run({ ns, options }) {
		const { na, nsDo } = await lean();
		const { results: [routes, links] } = await nsDo(await target(ns), na.routes(familyOf(options)), na.links());
		const rows = rowsOf(routes, links);
		return {
			data: rows,
			text: table(rows.map((r) => [
				r.to,
				r.via,
				r.dev,
				r.metric,
				r.table
			]), [
				"TO",
				"VIA",
				"DEV",
				"METRIC",
				"TABLE"
			])
		};
	}
};
const ROUTE_KEYWORDS = {
	via: "value",
	dev: "value",
	metric: "value",
	table: "value"
};
const VERBS = {
	add: "addRoute",
	replace: "replaceRoute",
	del: "delRoute"
};
function routeChange(op) {
	return {
		name: `route ${op}`,
		summary: `${op === "del" ? "delete" : op} a route (as \`ip route ${op}\`)`,
		synopsis: `route ${op} TO [via IP] [dev NAME] [metric N] [table N] [-4|-6] [-n NS]`,
		args: ["TO"],
		rest: {
			name: "KEYWORD",
			required: false
		},
		options: [
			"ns",
			"inet",
			"inet6"
		],
		details: "TO is a CIDR or \"default\" (IPv4 unless -6 or an IPv6 via). --json: the route as given.",
		async run({ args: [to, ...rest], ns, options }) {
			const k = keywords(rest, ROUTE_KEYWORDS, `route ${op}`);
			const { lp, na, nsDo } = await lean();
			const family = familyOf(options);
			const dev = stringOf(k, "dev");
			const route = defined({
				to,
				via: stringOf(k, "via"),
				metric: integerOf(k, "metric"),
				table: integerOf(k, "table"),
				...dev !== void 0 && { dev: lp.name(dev) },
				...family !== "all" && { family }
			});
			await nsDo(await target(ns), na[VERBS[op]](route));
			return {
				data: {
					to,
					via: route.via ?? null,
					dev: dev ?? null,
					metric: route.metric ?? null,
					table: route.table ?? null
				},
				text: `${op === "del" ? "deleted" : op === "add" ? "added" : "replaced"} route ${to}\n`
			};
		}
	};
}
// dist/commands/index.js
/**
* Every command, in the order `neslink --help` lists them. Modules hold only
* the command's own code: @neslink/core is imported when a command runs.
*/
const commands = [
	nsList,
	nsAdd,
	nsDel,
	nsExec,
	nsPrune,
	linkList,
	linkShow,
	linkAdd,
	linkSet,
	linkDel,
	addrList,
	addrAdd,
	addrDel,
	routeList,
	routeChange("add"),
	routeChange("replace"),
	routeChange("del"),
	exec,
	monitor,
	apply,
	plan,
	destroy,
	inspect,
	graph,
	{
		name: "shell",
		summary: "run many commands in one process (from a file, a pipe, or typed at a prompt)",
		synopsis: "shell [-f FILE]",
		args: [],
		options: ["file"],
		parallel: true,
		details: [
			"One neslink command a line, without the word neslink (`ns add lab1`), quoted as in a shell;",
			"# starts a comment. Start-up and the worker pool are paid once for all of them: 1000 lines take",
			"about as long as their kernel work. A script stops at its first failing line, with its status;",
			"at a terminal's prompt, errors are shown and you go on. A program run by exec gets no input.",
			"--json: every line's result as JSON."
		].join("\n"),
		async run({ options }, session) {
			const { runShell } = await import("./shell-run-CgKVaUXe.js");
			return {
				data: void 0,
				text: "",
				exitCode: await runShell(options.file, session)
			};
		}
	},
	completion(() => commands),
	links
];
// dist/version.js
const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
// dist/main.js
/** One call of the CLI: argv in, text out, an exit status back. Nothing here touches the process. */
function fail(err, json, io) {
	const code = exitCodeOf(err);
	if (json) io.out(errorText(err, true));
	else {
		io.err(errorText(err, false));
		if (code === 2) io.err("Run \"neslink --help\" for usage.\n");
	}
	return code;
}
async function execute(command, invocation, json, io, keepPool) {
	if (!keepPool) setPoolSize(command.parallel ? void 0 : 1);
	try {
		const outcome = await command.run(invocation, {
			json,
			terminal: io.terminal,
			print: io.out
		});
		if (json) {
			if (outcome.data !== void 0) io.out(toJson(outcome.data));
		} else {
			io.out(outcome.text);
			if (outcome.stderr) io.err(outcome.stderr);
		}
		return outcome.exitCode ?? 0;
	} catch (err) {
		return fail(err, json, io);
	} finally {
		if (!keepPool) await closePool();
	}
}
async function main(argv, io, options = {}) {
	const json = wantsJson(argv);
	try {
		const parsed = parse(argv, commands);
		switch (parsed.kind) {
			case "version":
				io.out(json ? toJson({ version }) : `${version}\n`);
				return 0;
			case "help":
				io.out(helpText(parsed.topic, commands));
				return 0;
			case "run": return await execute(parsed.command, parsed.invocation, json, io, options.keepPool === true);
		}
	} catch (err) {
		return fail(err, json, io);
	}
}
export { main };
