// Preloaded (node -r) into both contenders of the CPU rows: at exit, appends the process's own
// CPU time (user + system, µs, getrusage(RUSAGE_SELF): everything since the process started) to
// the file named by NSOMOCK_BENCH_CPU.
'use strict';
const { appendFileSync } = require('node:fs');
const file = process.env.NSOMOCK_BENCH_CPU;
process.on('exit', () => {
  const u = process.cpuUsage();
  if (file) appendFileSync(file, `${u.user + u.system}\n`);
});
