#!/usr/bin/env node
import module from "node:module";
// dist/bin.js
module.enableCompileCache?.();
const { main } = await import("./main-DJpaBiWs.js");
process.exitCode = await main(process.argv.slice(2), {
	out: (text) => process.stdout.write(text),
	err: (text) => process.stderr.write(text),
	terminal: {
		stdin: process.stdin,
		stdout: process.stdout,
		stderr: process.stderr,
		onSignals(signals, handler) {
			for (const signal of signals) process.on(signal, handler);
			return () => {
				for (const signal of signals) process.off(signal, handler);
			};
		}
	}
});
export {};
