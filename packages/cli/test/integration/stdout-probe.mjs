// Preloaded (node --import) into the built bin by tests whose reader stops reading: writes a line on stderr once
// stdout holds text its reader has not taken (the pipe is full), so that they wait on that, not on a clock.
const timer = setInterval(() => {
  if (process.stdout.writableLength === 0) return;
  process.stderr.write("probe: stdout is full\n");
  clearInterval(timer);
}, 20);
timer.unref();
