/**
 * `npm run kassa -- <command>`. `trace` loads only what it reads with (it answers in about half
 * a second; `cli.ts` loads every command's modules first, two seconds on a small machine, so it
 * could not); every other command is `cli.ts`'s.
 */
if (process.argv[2] === 'trace') await import('./trace-main.ts');
else await import('./cli.ts');
